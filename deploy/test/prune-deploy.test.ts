import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { deployDir } from './manifests.js';

const run = promisify(execFile);
const script = join(deployDir, 'docker', 'prune-deploy.sh');
const arch = process.arch;
const other = arch === 'arm64' ? 'x64' : 'arm64';

/** Package folders as `pnpm deploy --legacy` lays them out, one file each. */
const files = [
  `@node-llama-cpp+linux-${arch}@3.21.1/node_modules/@node-llama-cpp/linux-${arch}/bins/llama-addon.node`,
  `@node-llama-cpp+linux-${arch}-cuda@3.21.1/node_modules/@node-llama-cpp/linux-${arch}-cuda/bins/libggml-cuda.so`,
  `@node-llama-cpp+linux-${arch}-cuda-ext@3.21.1/node_modules/@node-llama-cpp/linux-${arch}-cuda-ext/bins/libggml-cuda.so`,
  `@node-llama-cpp+linux-${arch}-vulkan@3.21.1/node_modules/@node-llama-cpp/linux-${arch}-vulkan/bins/libggml-vulkan.so`,
  `@node-llama-cpp+linux-${other}@3.21.1/node_modules/@node-llama-cpp/linux-${other}/bins/llama-addon.node`,
  'node-llama-cpp@3.21.1_typescript@5.9.3/node_modules/node-llama-cpp/dist/index.js',
  'node-llama-cpp@3.21.1_typescript@5.9.3/node_modules/node-llama-cpp/llama/gitRelease.bundle',
  'onnxruntime-node@1.30.0/node_modules/onnxruntime-node/bin/napi-v6/darwin/arm64/binding.node',
  'onnxruntime-node@1.30.0/node_modules/onnxruntime-node/bin/napi-v6/win32/x64/binding.node',
  `onnxruntime-node@1.30.0/node_modules/onnxruntime-node/bin/napi-v6/linux/${arch}/binding.node`,
  `onnxruntime-node@1.30.0/node_modules/onnxruntime-node/bin/napi-v6/linux/${other}/binding.node`,
  'onnxruntime-web@1.31.0/node_modules/onnxruntime-web/dist/ort.wasm',
  'vitest@4.1.12_abc/node_modules/vitest/index.js',
  '@vitest+expect@4.1.12/node_modules/@vitest/expect/index.js',
  'typescript@5.9.3/node_modules/typescript/lib/tsc.js',
  'fastify@5.12.8/node_modules/fastify/fastify.js',
];

const roots: string[] = [];
afterAll(() => Promise.all(roots.map((root) => rm(root, { recursive: true, force: true }))));

/** A deploy folder with the files above and the links pnpm makes between them. */
async function deployFolder(): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'prune-deploy-'));
  roots.push(root);
  const store = join(root, 'node_modules', '.pnpm');
  for (const file of files) {
    await mkdir(dirname(join(store, file)), { recursive: true });
    await writeFile(join(store, file), 'x');
  }
  const link = async (target: string, path: string) => {
    await mkdir(dirname(path), { recursive: true });
    await symlink(relative(dirname(path), target), path);
  };
  await link(
    join(store, 'fastify@5.12.8/node_modules/fastify'),
    join(root, 'node_modules/fastify'),
  );
  const llamaDeps = join(
    store,
    'node-llama-cpp@3.21.1_typescript@5.9.3/node_modules/@node-llama-cpp',
  );
  for (const name of [`linux-${arch}`, `linux-${arch}-cuda`, `linux-${arch}-vulkan`]) {
    await link(
      join(store, `@node-llama-cpp+${name}@3.21.1/node_modules/@node-llama-cpp/${name}`),
      join(llamaDeps, name),
    );
  }
  return root;
}

async function remaining(root: string): Promise<string[]> {
  const entries = await readdir(join(root, 'node_modules'), {
    recursive: true,
    withFileTypes: true,
  });
  return entries
    .filter((entry) => entry.isFile() || entry.isSymbolicLink())
    .map((entry) => relative(join(root, 'node_modules'), join(entry.parentPath, entry.name)))
    .sort();
}

const kept = (...names: string[]) =>
  [
    `.pnpm/@node-llama-cpp+linux-${arch}@3.21.1/node_modules/@node-llama-cpp/linux-${arch}/bins/llama-addon.node`,
    ...names,
    '.pnpm/fastify@5.12.8/node_modules/fastify/fastify.js',
    `.pnpm/node-llama-cpp@3.21.1_typescript@5.9.3/node_modules/@node-llama-cpp/linux-${arch}`,
    '.pnpm/node-llama-cpp@3.21.1_typescript@5.9.3/node_modules/node-llama-cpp/dist/index.js',
    `.pnpm/onnxruntime-node@1.30.0/node_modules/onnxruntime-node/bin/napi-v6/linux/${arch}/binding.node`,
    'fastify',
  ].sort();

describe('deploy/docker/prune-deploy.sh', () => {
  it('keeps only the CPU builds of this platform, and drops the browser runtime and test tools', async () => {
    const root = await deployFolder();
    const { stderr } = await run('sh', [script, root]);
    expect(stderr).toMatch(/^prune-deploy: .* MB -> \d+ MB \(LLM_GPU=false, \w+\)\n$/);
    expect(await remaining(root)).toEqual(kept());
  });

  it('LLM_GPU=cuda keeps the CUDA builds (and their links), not Vulkan', async () => {
    const root = await deployFolder();
    await run('sh', [script, root, 'cuda']);
    expect(await remaining(root)).toEqual(
      kept(
        `.pnpm/@node-llama-cpp+linux-${arch}-cuda@3.21.1/node_modules/@node-llama-cpp/linux-${arch}-cuda/bins/libggml-cuda.so`,
        `.pnpm/@node-llama-cpp+linux-${arch}-cuda-ext@3.21.1/node_modules/@node-llama-cpp/linux-${arch}-cuda-ext/bins/libggml-cuda.so`,
        `.pnpm/node-llama-cpp@3.21.1_typescript@5.9.3/node_modules/@node-llama-cpp/linux-${arch}-cuda`,
      ),
    );
  });

  it('refuses an unknown LLM_GPU with exit 2', async () => {
    const root = await deployFolder();
    const error = await run('sh', [script, root, 'rocm']).catch((thrown: unknown) => thrown);
    expect(error).toMatchObject({
      code: 2,
      stderr: "prune-deploy: LLM_GPU must be false, cuda, vulkan or auto, not 'rocm'\n",
    });
    expect(await remaining(root)).toHaveLength(files.length + 4);
  });
});
