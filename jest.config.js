/**
 * Four projects: fast unit tests beside the code, integration tests with real
 * engines under test/integration, fault injection under test/reliability
 * (agent and engine killed, full disk, slow reloads; bounded to a few
 * minutes), and the VM image's chroot test (`npm run test:image`, not part of `npm test`).
 */
const tsJest = ['ts-jest', { tsconfig: 'tsconfig.json', diagnostics: false }];
module.exports = {
  projects: [
    {
      displayName: 'unit',
      testEnvironment: 'node',
      transform: { '^.+\\.ts$': tsJest },
      testMatch: ['<rootDir>/{schemas,renderers,agent,controller}/**/*.test.ts'],
    },
    {
      displayName: 'integration',
      testEnvironment: 'node',
      transform: { '^.+\\.ts$': tsJest },
      testMatch: ['<rootDir>/test/integration/**/*.test.ts'],
      // the image test builds a Debian tree for minutes: its own project (npm run test:image)
      testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/integration/ctl-image\\.test\\.ts$'],
      slowTestThreshold: 30,
    },
    {
      displayName: 'reliability',
      testEnvironment: 'node',
      transform: { '^.+\\.ts$': tsJest },
      testMatch: ['<rootDir>/test/reliability/**/*.test.ts'],
      slowTestThreshold: 60,
    },
    {
      displayName: 'image',
      testEnvironment: 'node',
      transform: { '^.+\\.ts$': tsJest },
      testMatch: ['<rootDir>/test/integration/ctl-image.test.ts'],
    },
  ],
};
