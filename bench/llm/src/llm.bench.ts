import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchmarkGgufOptions, writeTinyGguf } from '@model-loader/fixtures';
import { getLlama, LlamaCompletion } from 'node-llama-cpp';

// Tokens/s of the LLM server (POST /inference over HTTP, the server in its own process, started
// with `node dist/server.js` like `pnpm start`) against node-llama-cpp called directly in this
// process, on the same model in the same run; then /health latency while the server generates.
// Both sides: CPU, 1 thread, greedy decoding, the same prompt and token count.
const runs = Number(process.env.BENCH_RUNS ?? 7);
const maxTokens = Number(process.env.BENCH_TOKENS ?? 256);
const prompt = 'The model loader checks every file before a native runtime touches it, so';
const contextSize = 1024;

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};
const percentile = (values: number[], fraction: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))] ?? Number.NaN;
};
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Starts the compiled server in `cwd` and resolves with its URL once it listens. */
function startServer(cwd: string): Promise<{ url: string; child: ChildProcess }> {
  const serverJs = join(
    dirname(fileURLToPath(import.meta.resolve('@model-loader/llm-server'))),
    'server.js',
  );
  const child = spawn(process.execPath, [serverJs], {
    cwd,
    env: {
      ...process.env,
      PORT: '0',
      LLM_GPU: 'false',
      LLM_THREADS: '1',
      MODELS_FILE: 'models.json',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let output = '';
    child.stdout?.on('data', (data: Buffer) => {
      output += data.toString();
      const match = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (match?.[1]) {
        output = '';
        resolve({ url: match[1], child });
      }
      if (output.length > 100_000) output = output.slice(-1000);
    });
    child.on('exit', (code) => reject(new Error(`the server exited with code ${code}`)));
  });
}

/** Wall clock minus the generation time the server measured: HTTP, JSON, queue, lease. */
const serverOverheadsInMs: number[] = [];
/** Tokens/s of the generation as the server timed it (no HTTP). */
const serverInsideRates: number[] = [];

async function inference(url: string): Promise<{ tokens: number; elapsedInMs: number }> {
  const started = performance.now();
  const response = await fetch(`${url}/inference`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model_name: 'bench', prompt, max_tokens: maxTokens }),
  });
  const body = (await response.json()) as {
    usage?: { completion_tokens: number };
    timings?: { total_ms: number };
  };
  const elapsedInMs = performance.now() - started;
  if (!response.ok || !body.usage) throw new Error(`inference failed: ${JSON.stringify(body)}`);
  serverOverheadsInMs.push(elapsedInMs - (body.timings?.total_ms ?? 0));
  serverInsideRates.push((body.usage.completion_tokens * 1000) / (body.timings?.total_ms ?? 1));
  return { tokens: body.usage.completion_tokens, elapsedInMs };
}

async function healthLatencyInMs(url: string): Promise<number> {
  const started = performance.now();
  const response = await fetch(`${url}/health`);
  await response.arrayBuffer();
  return performance.now() - started;
}

const dir = await mkdtemp(join(tmpdir(), 'bench-llm-'));
let server: ChildProcess | undefined;
try {
  // Big enough that a token is real work (4 layers, width 256, 32k vocabulary, F16, about 40 MB).
  await writeTinyGguf(join(dir, 'model.gguf'), benchmarkGgufOptions);
  await writeFile(
    join(dir, 'models.json'),
    JSON.stringify({
      modelDir: '.',
      models: [
        {
          name: 'bench',
          adapter: 'gguf',
          path: 'model.gguf',
          options: { contextSize, parallelSequences: 1 },
        },
      ],
    }),
  );

  const llama = await getLlama({ build: 'never', gpu: false, maxThreads: 1 });
  const model = await llama.loadModel({ modelPath: join(dir, 'model.gguf') });
  const context = await model.createContext({ contextSize, threads: 1 });
  const sequence = context.getSequence();
  const direct = async () => {
    const completion = new LlamaCompletion({ contextSequence: sequence });
    const before = sequence.tokenMeter.getState();
    const started = performance.now();
    await completion.generateCompletion(prompt, { maxTokens });
    const elapsedInMs = performance.now() - started;
    // The same count the server reports as completion_tokens (the sequence's token meter).
    const tokens = sequence.tokenMeter.diff(before).usedOutputTokens;
    completion.dispose({ disposeSequence: false });
    await sequence.clearHistory();
    return { tokens, elapsedInMs };
  };

  const started = await startServer(dir);
  server = started.child;
  const { url } = started;
  for (;;) {
    const health = (await (await fetch(`${url}/health`)).json()) as { status: string };
    if (health.status === 'healthy') break;
    if (health.status === 'unhealthy') throw new Error('the model failed to load in the server');
    await sleep(50);
  }

  const directRates: number[] = [];
  const serverRates: number[] = [];
  for (let run = 0; run < runs + 1; run++) {
    // Alternate the order; run 0 is a warm-up of both sides.
    for (const side of run % 2 === 0 ? ['direct', 'server'] : ['server', 'direct']) {
      const result = side === 'direct' ? await direct() : await inference(url);
      const rate = (result.tokens * 1000) / result.elapsedInMs;
      if (process.env.BENCH_VERBOSE)
        console.log(side, result.tokens, result.elapsedInMs.toFixed(0));
      if (run > 0) (side === 'direct' ? directRates : serverRates).push(rate);
    }
  }

  const overheadInMs = median(serverOverheadsInMs);
  const idle: number[] = [];
  for (let index = 0; index < 50; index++) idle.push(await healthLatencyInMs(url));
  const busy: number[] = [];
  const generating = inference(url);
  let done = false;
  void generating.finally(() => {
    done = true;
  });
  await sleep(20);
  while (!done) {
    busy.push(await healthLatencyInMs(url));
    await sleep(10);
  }
  await generating;

  const directMedian = median(directRates);
  const serverMedian = median(serverRates);
  const ratio = serverMedian / directMedian;
  console.log(`model: tiny llama F16, 4 layers, width 256, 32k vocabulary; ${maxTokens} tokens`);
  console.log(`runs: ${runs} (after a warm-up), CPU, 1 thread, greedy`);
  console.log(
    `direct node-llama-cpp: median ${directMedian.toFixed(1)} tokens/s (${directRates.map((rate) => rate.toFixed(0)).join(', ')})`,
  );
  console.log(
    `server POST /inference: median ${serverMedian.toFixed(1)} tokens/s (${serverRates.map((rate) => rate.toFixed(0)).join(', ')}), wall clock over HTTP`,
  );
  console.log(
    `server, generation as the server timed it: median ${median(serverInsideRates.slice(1)).toFixed(1)} tokens/s`,
  );
  console.log(
    `server overhead per request (wall clock minus the generation the server timed): median ${overheadInMs.toFixed(2)} ms`,
  );
  // The overhead is measured per request, so other work on a shared machine hardly moves it.
  const generationInMs = (maxTokens * 1000) / serverMedian - overheadInMs;
  const overheadRatio = generationInMs / (generationInMs + overheadInMs);
  console.log(
    `ratio server / direct: median of runs ${ratio.toFixed(3)}; from the overhead ${overheadRatio.toFixed(3)} (target >= 0.9: ${ratio >= 0.9 ? 'met' : 'NOT met'})`,
  );
  console.log(
    `/health idle: median ${median(idle).toFixed(2)} ms, p99 ${percentile(idle, 0.99).toFixed(2)} ms (${idle.length} calls)`,
  );
  console.log(
    `/health while generating: median ${median(busy).toFixed(2)} ms, p99 ${percentile(busy, 0.99).toFixed(2)} ms, max ${Math.max(...busy).toFixed(2)} ms (${busy.length} calls)`,
  );
  await context.dispose();
  await model.dispose();
  await llama.dispose();
} finally {
  server?.kill('SIGTERM');
  await rm(dir, { recursive: true, force: true });
}
