/**
 * Three projects: fast unit tests beside the code, integration tests with real
 * engines under test/integration, and fault injection under test/reliability
 * (agent and engine killed, full disk, slow reloads; bounded to a few minutes).
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
      slowTestThreshold: 30,
    },
    {
      displayName: 'reliability',
      testEnvironment: 'node',
      transform: { '^.+\\.ts$': tsJest },
      testMatch: ['<rootDir>/test/reliability/**/*.test.ts'],
      slowTestThreshold: 60,
    },
  ],
};
