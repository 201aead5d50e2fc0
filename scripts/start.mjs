#!/usr/bin/env node
// `pnpm start`: builds what the two servers need, starts both, prints where they listen once both
// answer /health/live, and stops both on SIGINT/SIGTERM (forwarded once to each, then waits for
// their own graceful shutdown). Exit code 0 when both stopped cleanly, 1 otherwise.
//
// Options: --no-build (skip the turbo build). Environment: LLM_SERVER_PORT (default 8080),
// ASR_OCR_SERVER_PORT (8081), DEMO (default 1: the demo models; unset by MODELS_FILE or DEMO=0);
// HOST and everything else pass through to both servers.
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const { env: launcherEnv } = process;
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const READY_TIMEOUT_IN_MS = 120_000;
const POLL_INTERVAL_IN_MS = 200;

const servers = [
  { name: 'llm-server', dir: 'apps/llm-server', port: launcherEnv.LLM_SERVER_PORT || '8080' },
  {
    name: 'asr-ocr-server',
    dir: 'apps/asr-ocr-server',
    port: launcherEnv.ASR_OCR_SERVER_PORT || '8081',
  },
];

const say = (line) => process.stdout.write(`[start] ${line}\n`);

/** Copies a child's output line by line, each line prefixed with the server's name. */
function prefixLines(stream, target, name) {
  let rest = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk) => {
    const lines = (rest + chunk).split('\n');
    rest = lines.pop() ?? '';
    for (const line of lines) target.write(`[${name}] ${line}\n`);
  });
  stream.on('end', () => {
    if (rest) target.write(`[${name}] ${rest}\n`);
  });
}

function run(command, args) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: root, stdio: 'inherit' });
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

if (!process.argv.includes('--no-build')) {
  say('building the servers and what they depend on');
  const filters = servers.flatMap((server) => [`--filter=@model-loader/${server.name}...`]);
  // turbo is a dependency of the root package, so its bin is next to this script's node_modules.
  const code = await run(join(root, 'node_modules', '.bin', 'turbo'), [
    'run',
    'build',
    ...filters,
    '--output-logs=errors-only',
  ]);
  if (code !== 0) {
    say(`build failed (exit code ${code})`);
    process.exit(code);
  }
}

const host = launcherEnv.HOST || '127.0.0.1';
const probeHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
const urlHost = probeHost.includes(':') ? `[${probeHost}]` : probeHost;

let stopping = false;
const children = servers.map((server) => {
  // `pnpm start` is the demo: it asks both servers for their demo models (DEMO=1) unless the user
  // points them at a models file or says DEMO=0; a server never falls back to them on its own.
  const demo = launcherEnv.DEMO ?? (launcherEnv.MODELS_FILE ? '' : '1');
  const env = { ...process.env, PORT: server.port, DEMO: demo };
  // Each server in its own process group: a terminal's Ctrl-C reaches only this launcher, which
  // forwards it once (a second signal would make the servers skip their graceful shutdown).
  const child = spawn(process.execPath, ['dist/server.js'], {
    cwd: join(root, server.dir),
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  prefixLines(child.stdout, process.stdout, server.name);
  prefixLines(child.stderr, process.stderr, server.name);
  const exited = new Promise((resolve) => {
    child.on('exit', (code, signal) => resolve({ code, signal }));
  });
  return { ...server, child, exited, url: `http://${urlHost}:${server.port}` };
});

function stopAll(signal) {
  for (const { child } of children) {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
  }
}

// pnpm forwards the terminal's Ctrl-C to this process, which the terminal also signals: one key
// press arrives twice within a few milliseconds. Only a signal a second or more after the first
// is a real "stop now", forwarded again (the servers then skip their grace period).
const REPEAT_WINDOW_IN_MS = 1000;
let signalsReceived = 0;
let firstSignalAt = 0;
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    const now = Date.now();
    if (signalsReceived > 0 && now - firstSignalAt < REPEAT_WINDOW_IN_MS) return;
    signalsReceived += 1;
    if (signalsReceived === 1) {
      firstSignalAt = now;
      say(`${signal}: stopping both servers`);
    } else say(`${signal} again: telling both servers to stop now`);
    stopping = true;
    stopAll(signal);
  });
}

// One server that stops on its own takes the other down with it: half a stack is no stack.
for (const server of children) {
  server.exited.then(({ code, signal }) => {
    if (stopping) return;
    say(`${server.name} exited on its own (${signal ?? `exit code ${code}`}): stopping the other`);
    stopping = true;
    stopAll('SIGTERM');
  });
}

async function waitUntilLive(server) {
  const deadline = Date.now() + READY_TIMEOUT_IN_MS;
  while (!stopping && Date.now() < deadline) {
    try {
      const response = await fetch(`${server.url}/health/live`);
      if (response.ok) return true;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_IN_MS));
  }
  return false;
}

const live = await Promise.all(children.map(waitUntilLive));
if (live.every(Boolean)) {
  say('both servers are up:');
  for (const server of children) say(`  ${server.name.padEnd(15)} ${server.url}`);
  say('Ctrl-C (SIGINT) or SIGTERM stops both.');
} else if (!stopping) {
  say(`a server did not answer /health/live within ${READY_TIMEOUT_IN_MS / 1000} s: stopping`);
  stopping = true;
  stopAll('SIGTERM');
}

const results = await Promise.all(children.map((server) => server.exited));
const clean = results.every(({ code }) => code === 0) && signalsReceived > 0;
for (const [index, { code, signal }] of results.entries()) {
  say(`${children[index].name} stopped (${signal ? `signal ${signal}` : `exit code ${code}`})`);
}
process.exitCode = clean ? 0 : 1;
