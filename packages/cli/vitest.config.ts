import { defineConfig } from 'vitest/config';

export default defineConfig({
  // beforeAll transpiles the CLI with TypeScript: more than the default 10 s on a busy 2-core machine.
  test: { include: ['src/**/*.test.ts'], testTimeout: 30_000, hookTimeout: 60_000 },
});
