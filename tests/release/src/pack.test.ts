import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { promisify } from 'node:util';
import { writeTinyGguf } from '@model-loader/fixtures';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const execFileAsync = promisify(execFile);
const repoRoot = join(import.meta.dirname, '..', '..', '..');
const publicPackages = ['core', 'adapter-gguf', 'adapter-whisper', 'adapter-ocr', 'fastify', 'cli'];
const REPOSITORY = 'https://github.com/model-loader/model-loader';

let work: string;
let consumer: string;
const tarballs = new Map<string, string>();
const unpacked = new Map<string, string>();

async function run(command: string, args: readonly string[], cwd: string, env = process.env) {
  return execFileAsync(command, [...args], { cwd, env, maxBuffer: 64 * 1024 * 1024 });
}

/** The exact versions the workspace resolved, so the consumer installs what CI tested. */
function workspaceVersions() {
  return JSON.parse(
    readFileSync(
      join(repoRoot, 'packages/adapter-gguf/node_modules/node-llama-cpp/package.json'),
      'utf8',
    ),
  ) as {
    version: string;
    optionalDependencies: Record<string, string>;
  };
}

async function readJson<T>(path: string): Promise<T> {
  return JSON.parse(await readFile(path, 'utf8')) as T;
}

async function listFiles(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => relative(root, join(entry.parentPath, entry.name)))
    .sort();
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'model-loader-pack-'));
  const packs = join(work, 'packs');
  await mkdir(packs);
  for (const name of publicPackages) {
    const dir = join(repoRoot, 'packages', name);
    const { stdout } = await run('pnpm', ['pack', '--json', '--pack-destination', packs], dir);
    const { filename } = JSON.parse(stdout) as { filename: string };
    tarballs.set(name, filename);
    const into = join(work, 'unpacked', name);
    await mkdir(into, { recursive: true });
    await run('tar', ['xzf', filename, '-C', into, '--strip-components=1'], work);
    unpacked.set(name, into);
  }

  consumer = join(work, 'app');
  await mkdir(join(consumer, 'models'), { recursive: true });
  await writeFile(
    join(consumer, 'package.json'),
    JSON.stringify({ name: 'consumer', private: true, type: 'module' }),
  );
  const llama = workspaceVersions();
  const cpuBuild = `@node-llama-cpp/${process.platform}-${process.arch}`;
  const fastifyVersion = (
    await readJson<{ devDependencies: Record<string, string> }>(
      join(repoRoot, 'packages/fastify/package.json'),
    )
  ).devDependencies.fastify;
  const typesNodeVersion = (
    await readJson<{ version: string }>(join(repoRoot, 'node_modules/@types/node/package.json'))
  ).version;
  // A CPU install, as the adapter-gguf README tells npm users: no optional dependencies (that skips
  // node-llama-cpp's CUDA and Vulkan builds) plus the CPU build by name, and onnxruntime-node told
  // not to download its CUDA provider.
  await run(
    'npm',
    [
      'install',
      '--omit=optional',
      '--no-audit',
      '--no-fund',
      '--prefer-offline',
      '--loglevel=error',
      ...[...tarballs.values()],
      `fastify@${fastifyVersion}`,
      `@types/node@${typesNodeVersion}`,
      ...(llama.optionalDependencies[cpuBuild] ? [`${cpuBuild}@${llama.version}`] : []),
    ],
    consumer,
    { ...process.env, ONNXRUNTIME_NODE_INSTALL: 'skip' },
  );
  for (const file of ['main.ts', 'tsconfig.json']) {
    await copyFile(join(import.meta.dirname, '..', 'consumer', file), join(consumer, file));
  }
  await writeTinyGguf(join(consumer, 'models', 'tiny.gguf'));
});

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

describe.each(publicPackages)('the %s tarball', (name) => {
  it('ships LICENSE, README, dist and the sources its maps point to, and no tests', async () => {
    const root = unpacked.get(name)!;
    const files = await listFiles(root);
    expect(files).toContain('LICENSE');
    expect(files).toContain('README.md');
    expect(await readFile(join(root, 'LICENSE'), 'utf8')).toBe(
      await readFile(join(repoRoot, 'LICENSE'), 'utf8'),
    );
    expect(files.filter((file) => /\.test\.|test-support/.test(file))).toEqual([]);
    const maps = files.filter((file) => file.endsWith('.map'));
    expect(maps.length).toBeGreaterThan(0);
    const missing: string[] = [];
    for (const map of maps) {
      const { sources } = await readJson<{ sources: string[] }>(join(root, map));
      for (const source of sources) {
        const target = relative(root, join(root, dirname(map), source));
        if (!files.includes(target)) missing.push(`${map} -> ${source}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('has repository, homepage, bugs and keywords, and README links that work on the registry', async () => {
    const root = unpacked.get(name)!;
    const manifest = await readJson<Record<string, unknown>>(join(root, 'package.json'));
    expect(manifest).toMatchObject({
      license: 'MIT',
      repository: { type: 'git', url: `git+${REPOSITORY}.git`, directory: `packages/${name}` },
      homepage: `${REPOSITORY}/tree/main/packages/${name}#readme`,
      bugs: { url: `${REPOSITORY}/issues` },
    });
    expect((manifest.keywords as string[]).length).toBeGreaterThan(2);
    expect(JSON.stringify(manifest)).not.toContain('workspace:');
    const readme = await readFile(join(root, 'README.md'), 'utf8');
    const relativeLinks = [...readme.matchAll(/\]\(([^)\s]+)\)/g)]
      .map((match) => match[1]!)
      .filter((target) => !/^(https?:|mailto:|#)/.test(target));
    expect(relativeLinks).toEqual([]);
  });
});

describe('the tarballs installed with npm outside the workspace', () => {
  it('load a GGUF through core + adapter-gguf and serve the plugin’s /health', async () => {
    const stripTypes =
      Number(process.versions.node.split('.')[0]) >= 23 ? [] : ['--experimental-strip-types'];
    const { stdout } = await run(
      process.execPath,
      [...stripTypes, 'main.ts', join(consumer, 'models')],
      consumer,
    );
    expect(JSON.parse(stdout)).toEqual({
      httpStatus: 200,
      health: expect.objectContaining({ status: 'healthy', loaded_count: 1, total_count: 1 }),
      completionTokens: 4,
    });
  });

  it('type-check the program and our declarations (tsc --noEmit, skipLibCheck off)', async () => {
    const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
    const output = await run(process.execPath, [tsc, '-p', 'tsconfig.json'], consumer).then(
      () => '',
      (error: { stdout: string }) => error.stdout,
    );
    // Other packages' declarations are theirs to fix (node-llama-cpp 3.21.1 and onnxruntime-common
    // 1.30 have errors without DOM types); ours and the program must have none.
    const errorFiles = [...output.matchAll(/^(\S+?)\(\d+,\d+\): error/gm)].map(
      (match) => match[1]!,
    );
    expect(errorFiles.length).toBe(
      output.split('\n').filter((line) => /: error TS/.test(line)).length,
    );
    const ours = errorFiles.filter(
      (file) => !file.startsWith('node_modules/') || file.startsWith('node_modules/@model-loader/'),
    );
    expect(ours, output).toEqual([]);
  });

  it('install a working `model-loader` command that finds the GGUF preflight', async () => {
    const bin = join(consumer, 'node_modules', '.bin', 'model-loader');
    const file = join(consumer, 'models', 'tiny.gguf');
    const inspect = await run(bin, ['inspect', file], consumer);
    expect(inspect.stdout).toMatch(/\nformat: +GGUF\npreflight: +ok \(GGUF v3\)\n/);
    const digest = createHash('sha256')
      .update(await readFile(file))
      .digest('hex');
    expect((await run(bin, ['hash', file], consumer)).stdout).toBe(`${digest}  ${file}\n`);
  });
});
