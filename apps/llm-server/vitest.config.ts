import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'], // Child-process tests start a server and load models: slow on a busy 2-core machine.
    testTimeout: 60_000,
  },
});
