import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { ModelLoaderError } from '@model-loader/core';
import { createTinyGguf } from '@model-loader/fixtures';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { useTempDir } from '../test-support/temp-files.js';
import { GgufByteReader } from './gguf-byte-reader.js';
import { parseGgufHeader } from './parse-gguf-header.js';

const temp = useTempDir();
const { bytes: valid, layout } = createTinyGguf({
  vocabularySize: 300,
  embeddingLength: 16,
  headCount: 2,
  headCountKv: 1,
  feedForwardLength: 16,
  contextLength: 256,
});
const extremes = [
  0n,
  1n,
  2n,
  3n,
  4n,
  5n,
  13n,
  255n,
  0xffffn,
  0xffff_ffffn,
  1n << 31n,
  1n << 32n,
  1n << 62n,
  1n << 63n,
  (1n << 64n) - 1n,
];

/** One mutation: a byte overwrite, an extreme 32/64-bit value at some offset, or a truncation. */
const mutation = fc.oneof(
  fc.record({
    kind: fc.constant('byte' as const),
    offset: fc.nat(layout.dataOffset + 64),
    value: fc.nat(255),
  }),
  fc.record({
    kind: fc.constant('u32' as const),
    offset: fc.nat(layout.dataOffset),
    value: fc.constantFrom(...extremes),
  }),
  fc.record({
    kind: fc.constant('u64' as const),
    offset: fc.nat(layout.dataOffset),
    value: fc.constantFrom(...extremes),
  }),
  fc.record({
    kind: fc.constant('cut' as const),
    offset: fc.nat(valid.length),
    value: fc.constant(0n),
  }),
);
type Mutation = typeof mutation extends fc.Arbitrary<infer T> ? T : never;

function mutate(mutations: readonly Mutation[]): Uint8Array {
  let bytes = valid.slice();
  for (const change of mutations) {
    const view = new DataView(bytes.buffer);
    if (change.kind === 'cut') bytes = bytes.slice(0, change.offset);
    else if (change.offset >= bytes.length) continue;
    else if (change.kind === 'byte') bytes[change.offset] = Number(change.value);
    else if (change.kind === 'u32' && change.offset + 4 <= bytes.length)
      view.setUint32(change.offset, Number(BigInt.asUintN(32, change.value)), true);
    else if (change.kind === 'u64' && change.offset + 8 <= bytes.length)
      view.setBigUint64(change.offset, change.value, true);
  }
  return bytes;
}

/** `accepted`, or the code of the typed error; anything else is rethrown to fail the property. */
function preflight(bytes: Uint8Array): 'accepted' | string {
  try {
    parseGgufHeader(new GgufByteReader(bytes, bytes.length, 'mutant.gguf'));
    return 'accepted';
  } catch (error) {
    if (
      ModelLoaderError.hasCode(error, 'MODEL_FILE_CORRUPT') ||
      ModelLoaderError.hasCode(error, 'MODEL_FILE_TYPE_MISMATCH')
    ) {
      return error.code;
    }
    throw error;
  }
}

describe('GGUF preflight fuzz', () => {
  it('returns or throws only typed errors, within 50 ms, for thousands of mutants', () => {
    let slowest = 0;
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 4 }), (mutations) => {
        const bytes = mutate(mutations);
        // The fastest of up to 3 runs: a slow input stays slow, a GC pause or a busy shared core
        // does not fail the property.
        let elapsed = Number.POSITIVE_INFINITY;
        for (let attempt = 0; attempt < 3 && elapsed >= 50; attempt++) {
          const started = performance.now();
          preflight(bytes);
          elapsed = Math.min(elapsed, performance.now() - started);
        }
        slowest = Math.max(slowest, elapsed);
        expect(elapsed).toBeLessThan(50);
      }),
      { numRuns: 3000 },
    );
    expect(slowest).toBeLessThan(50);
  });

  it('accepted mutants do not crash node-llama-cpp in a child process', async () => {
    // 30 mutants keep the normal suite short; GGUF_FUZZ_SAMPLE=300 runs a larger sample.
    const sampleSize = Number(process.env.GGUF_FUZZ_SAMPLE ?? 30);
    // A fixed seed keeps the sample (and the README's figures) reproducible.
    const candidates = fc.sample(
      fc.array(
        mutation.filter((change) => change.kind !== 'cut'),
        { minLength: 1, maxLength: 3 },
      ),
      { numRuns: sampleSize * 200, seed: 42 },
    );
    const accepted: Uint8Array[] = [];
    for (const mutations of candidates) {
      if (mutations.every((change) => change.offset >= layout.dataOffset)) continue;
      const bytes = mutate(mutations);
      if (preflight(bytes) === 'accepted') accepted.push(bytes);
      if (accepted.length === sampleSize) break;
    }
    const paths = await Promise.all(
      accepted.map((bytes, index) => temp.write(`accepted-${index}.gguf`, bytes)),
    );
    const crashes: string[] = [];
    let next = 0;
    const outcomes: string[] = [];
    while (next < paths.length) {
      const { lines, signal, code } = await runChild(paths.slice(next));
      const finished = lines.filter((line) => 'outcome' in line);
      outcomes.push(...finished.map((line) => String(line.outcome)));
      if (finished.length === paths.length - next) break;
      const started = lines.filter((line) => line.started).length;
      crashes.push(`${paths[next + started - 1]}: ${signal ?? `exit ${code}`}`);
      next += started;
    }
    console.info(
      `fuzz sample: ${accepted.length} accepted mutants loaded in a child, ${crashes.length} crashes, ${outcomes.filter((o) => o === 'loaded').length} loaded and generated, ${outcomes.filter((o) => o !== 'loaded').length} rejected by llama.cpp`,
    );
    expect(crashes).toEqual([]);
  }, 600_000);
});

function runChild(
  paths: string[],
): Promise<{ lines: Record<string, unknown>[]; signal: string | null; code: number | null }> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      [join(import.meta.dirname, '../test-support/load-gguf-child.mjs'), ...paths],
      {
        stdio: ['ignore', 'pipe', 'ignore'],
      },
    );
    let output = '';
    // A watchdog per file (reset on each line), not per batch: a batch of 300 loads on a busy
    // shared machine can take longer than one minute without any load hanging.
    const kill = () => child.kill('SIGKILL');
    let timer = setTimeout(kill, 60_000);
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      clearTimeout(timer);
      timer = setTimeout(kill, 60_000);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const lines = output
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as Record<string, unknown>);
      resolve({ lines, signal, code });
    });
  });
}
