import { defineConfig } from 'vitest/config';

// `pnpm test:docker`: builds and runs the images (minutes); kept out of the normal `test`.
export default defineConfig({
  test: {
    include: ['test-docker/**/*.test.ts'],
    testTimeout: 30 * 60_000,
    hookTimeout: 120_000,
    fileParallelism: false,
  },
});
