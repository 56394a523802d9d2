// One jest run for the whole repository. TypeScript is stripped by swc (type
// checking is `tsc -b`'s job, run by `npm test` before jest), and tests run
// as ES modules, as the code does in production.
const swc = [
  '@swc/jest',
  {
    jsc: { parser: { syntax: 'typescript' }, target: 'es2023' },
    module: { type: 'es6' },
    sourceMaps: 'inline',
  },
];

export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  transform: { '^.+\\.ts$': swc },
  // Tests import workspace packages from their sources, not from dist/.
  moduleNameMapper: {
    '^@chirp/platform$': '<rootDir>/packages/platform/src/index.ts',
    '^@chirp/testing$': '<rootDir>/packages/testing/src/index.ts',
    '^@chirp/stack$': '<rootDir>/packages/stack/src/stack.ts',
    '^@chirp/gateway$': '<rootDir>/gateway/src/gateway.ts',
    '^@chirp/(users|tweets|timeline|notifications)$': '<rootDir>/subgraphs/$1/src/app.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  testMatch: ['<rootDir>/**/test/**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  testTimeout: 30_000,
  // Every suite stops what it starts; should one fail half-way through its
  // setup and leak a socket, the run still ends (and reports) instead of
  // hanging CI until its time limit.
  forceExit: true,
};
