import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // node-llama-cpp loads a native addon: forks isolate it, and one file at a time keeps the
    // suite within 2 shared cores.
    pool: 'forks',
    fileParallelism: false,
  },
});
