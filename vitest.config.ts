import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // The load suite (test/stress/) runs alone: `npm run test:stress` (STRESS=1), also in .ci/run.
    include: process.env.STRESS ? ['test/stress/**/*.test.ts'] : ['test/**/*.test.ts'],
    exclude: process.env.STRESS ? [] : ['test/stress/**', 'node_modules/**'],
    // Servers the tests start keep their answer records and feedback in memory, not in
    // data/paper-chat.db; the tests of the records set their own file.
    env: { DATABASE_PATH: ':memory:' },
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // onnxruntime-node and Chromium are heavy; two cores here.
    pool: 'forks',
    maxWorkers: 2,
  },
});
