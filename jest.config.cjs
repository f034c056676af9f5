/** Jest runs TypeScript through SWC (no type-check here: `npm run typecheck` does that). */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.(t|j)sx?$': ['@swc/jest', { jsc: { target: 'es2023', parser: { syntax: 'typescript' } }, module: { type: 'commonjs' } }],
  },
  testTimeout: 30000,
  // ESM-only dependencies of Fastify's inject (light-my-request → cookie) and @fastify/static
  // (content-disposition): Jest's CommonJS runtime loads them only once SWC has converted them.
  transformIgnorePatterns: ['/node_modules/(?!(cookie|content-disposition)/)'],
};
