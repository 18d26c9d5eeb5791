/**
 * Three projects: fast unit tests beside the code, integration tests with real
 * engines under test/, and the VM image's chroot test (`npm run test:image`, not part of `npm test`).
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
      testMatch: ['<rootDir>/test/**/*.test.ts'],
      // the image test builds a Debian tree for minutes: its own project (npm run test:image)
      testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/integration/ctl-image\\.test\\.ts$'],
      slowTestThreshold: 30,
    },
    {
      displayName: 'image',
      testEnvironment: 'node',
      transform: { '^.+\\.ts$': tsJest },
      testMatch: ['<rootDir>/test/integration/ctl-image.test.ts'],
    },
  ],
};
