import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // The load suite (test/stress/) runs alone: `npm run test:stress` (STRESS=1), also in .ci/run.
    include: process.env.STRESS ? ['test/stress/**/*.test.ts'] : ['test/**/*.test.ts'],
    exclude: process.env.STRESS ? [] : ['test/stress/**', 'node_modules/**'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // onnxruntime-node and Chromium are heavy; two cores here.
    pool: 'forks',
    maxWorkers: 2,
  },
});
