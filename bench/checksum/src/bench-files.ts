import { randomBytes } from 'node:crypto';
import { open } from 'node:fs/promises';

/** Writes `sizeInBytes` of pseudo-random bytes (a random 16 MiB block, a counter stamped on each copy). */
export async function writeBenchFile(path: string, sizeInBytes: number): Promise<void> {
  const block = randomBytes(16 * 1024 * 1024);
  const handle = await open(path, 'w');
  try {
    for (let offset = 0, index = 0; offset < sizeInBytes; offset += block.length, index += 1) {
      block.writeUInt32LE(index, 0);
      await handle.write(block, 0, Math.min(block.length, sizeInBytes - offset), offset);
    }
  } finally {
    await handle.close();
  }
}

/** Median of a list of numbers. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}
