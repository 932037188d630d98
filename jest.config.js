/** Jest runs TypeScript through SWC; type checking is `npm run typecheck`. */
const swc = [
  '@swc/jest',
  {
    swcrc: false,
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2022',
      keepClassNames: true,
    },
  },
];

const moduleNameMapper = {
  '^@sms/(domain|event-store|read-models|messaging|sms-gateway|imports|platform|application)$': '<rootDir>/libs/$1/src',
};

module.exports = {
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': swc },
  moduleNameMapper,
  modulePathIgnorePatterns: ['<rootDir>/dist', '<rootDir>/dist-test', '<rootDir>/dist-bench'],
  testMatch: ['<rootDir>/{apps,libs,test}/**/*.spec.ts'],
  testTimeout: 60_000,
  maxWorkers: 2,
};
