import { defineConfig } from 'vitest/config';

export default defineConfig({
  // OCR tests run real ONNX sessions; one file at a time keeps two shared cores responsive.
  test: {
    include: ['src/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    fileParallelism: false,
  },
});
