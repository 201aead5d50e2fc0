import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { CliIo, InputStream } from '../cli-io.js';
import { runCli } from '../run-cli.js';

function fakeIo(stdin: InputStream | undefined) {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = {
    ...(stdin ? { stdin } : {}),
    stdout: { write: (text: string) => out.push(text) },
    stderr: { write: (text: string) => err.push(text) },
    env: {},
  };
  return { io, stdout: () => out.join(''), stderr: () => err.join('') };
}

describe('hash with standard input', () => {
  it('refuses to wait on a terminal when no FILE is given', async () => {
    const terminal = Object.assign(Readable.from([]), { isTTY: true });
    const { io, stderr } = fakeIo(terminal);
    expect(await runCli(['hash'], io)).toBe(2);
    expect(stderr()).toBe(
      "model-loader: hash needs at least one FILE (or - for standard input)\nRun 'model-loader --help' for usage.\n",
    );
  });

  it('hashes every chunk of the stream, strings and bytes alike', async () => {
    const chunks = ['ab', Buffer.from('c'), new Uint8Array([0, 255])];
    const { io, stdout } = fakeIo(Readable.from(chunks));
    expect(await runCli(['hash', '-a', 'sha1', '-'], io)).toBe(0);
    const expected = createHash('sha1')
      .update(Buffer.from([0x61, 0x62, 0x63, 0, 255]))
      .digest('hex');
    expect(stdout()).toBe(`${expected}  -\n`);
  });
});
