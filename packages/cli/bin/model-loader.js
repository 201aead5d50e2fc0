#!/usr/bin/env node
// The command's entry point lives outside dist/ so that `pnpm install` in a fresh checkout can link
// it before anything is built; it only loads the compiled CLI.
const entry = new URL('../dist/bin.js', import.meta.url);
try {
  await import(entry.href);
} catch (error) {
  if (error?.code !== 'ERR_MODULE_NOT_FOUND' || !String(error.message).includes(entry.pathname)) {
    throw error;
  }
  process.stderr.write(
    'model-loader: the CLI is not built yet; run `pnpm build` in the checkout (or\n' +
      '`pnpm turbo run build --filter=@model-loader/cli...`), then try again.\n',
  );
  process.exitCode = 2;
}
