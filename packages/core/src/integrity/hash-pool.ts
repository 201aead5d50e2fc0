import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { ChecksumAlgorithm } from '../checksum/checksum-algorithm.js';
import { type Logger, silentLogger } from '../spec/logger.js';
import { hashFileError } from './hash-error.js';
import type { FromWorkerMessage, ToWorkerMessage } from './hash-worker-protocol.js';
import { DEFAULT_CHUNK_SIZE_IN_BYTES, readAndHash } from './read-and-hash.js';

/** Options of {@link createHashPool}. */
export interface HashPoolOptions {
  /**
   * Files hashed at once, one per thread (with `useMainThread`, the calling thread counts as one).
   * @default os.availableParallelism()
   */
  readonly threadCount?: number;
  /**
   * Let the calling thread hash one file itself, in slices of a few milliseconds, while worker
   * threads take the others. A single file then needs no worker at all (no thread start-up), which
   * suits a command-line tool. Keep it off in a server: a slice still delays its event loop.
   * @default false
   */
  readonly useMainThread?: boolean;
  /** Size of one read (one reused buffer per thread). @default 128 KiB */
  readonly chunkSizeInBytes?: number;
  /** An idle worker exits after this long; a new one starts on demand. @default 10 000 ms */
  readonly idleTimeoutInMs?: number;
  /**
   * Entry file of the worker. Only for tests and bundlers that move files.
   * @default `./hash-worker.js` beside this module (the compiled `dist/integrity/hash-worker.js`)
   */
  readonly workerUrl?: URL;
  /** Told once when the worker file is missing and hashing falls back to the main thread. */
  readonly logger?: Logger;
}

/** Options of one hash. */
export interface PoolHashOptions {
  /** Stops the hash; the promise rejects with the signal's reason at once. */
  readonly signal?: AbortSignal;
  /** Bytes hashed so far, reported about every 16 MiB and at the end. */
  readonly onProgress?: (bytesDone: number) => void;
}

/** Result of one hash. */
export interface PoolHashResult {
  readonly digest: string;
  readonly sizeInBytes: number;
}

/** Hashes files in worker threads, several at once, one file per worker. */
export interface HashPool {
  /**
   * Lower-case hex digest of `path`.
   * @throws ModelLoaderError MODEL_FILE_NOT_FOUND, MODEL_FILE_NOT_READABLE, MODEL_FILE_NOT_REGULAR
   */
  hash(
    path: string,
    algorithm: ChecksumAlgorithm,
    options?: PoolHashOptions,
  ): Promise<PoolHashResult>;
  /** Most workers hashing at once. */
  readonly concurrency: number;
  /** Files being hashed now. */
  readonly activeCount: number;
  /** Files waiting for a free worker. */
  readonly pendingCount: number;
  /** Whether hashing can run in worker threads (false when the worker file is missing). */
  readonly usesWorkerThreads: boolean;
  /** Rejects waiting jobs, stops the workers. Running hashes reject too. */
  close(): Promise<void>;
}

const progressIntervalInBytes = 16 * 1024 * 1024;

interface Job {
  readonly id: number;
  readonly path: string;
  readonly algorithm: ChecksumAlgorithm;
  readonly options: PoolHashOptions;
  readonly resolve: (result: PoolHashResult) => void;
  readonly reject: (error: unknown) => void;
  settled: boolean;
  removeAbortListener?: () => void;
}

interface Slot {
  readonly worker: Worker;
  job: Job | undefined;
  idleTimer: NodeJS.Timeout | undefined;
}

/** Creates a pool of hash worker threads. Workers start on demand and exit when idle. */
export function createHashPool(options: HashPoolOptions = {}): HashPool {
  const concurrency = options.threadCount ?? availableParallelism();
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new RangeError(`\`threadCount\` must be a positive integer, got ${concurrency}`);
  }
  const chunkSizeInBytes = options.chunkSizeInBytes ?? DEFAULT_CHUNK_SIZE_IN_BYTES;
  const idleTimeoutInMs = options.idleTimeoutInMs ?? 10_000;
  const workerUrl = options.workerUrl ?? new URL('./hash-worker.js', import.meta.url);
  const usesWorkerThreads = workerUrl.protocol !== 'file:' || existsSync(fileURLToPath(workerUrl));
  const useMainThread = options.useMainThread ?? false;
  const maxWorkerThreads = usesWorkerThreads ? concurrency - (useMainThread ? 1 : 0) : 0;
  const maxInline = usesWorkerThreads ? (useMainThread ? 1 : 0) : concurrency;
  let inlineBuffer: Buffer | undefined;
  if (!usesWorkerThreads) {
    (options.logger ?? silentLogger).warn(
      { workerFile: fileURLToPath(workerUrl) },
      'Hash worker file not found (running from TypeScript sources?); hashing on the main thread',
    );
  }
  const slots = new Set<Slot>();
  const queue: Job[] = [];
  let inlineActive = 0;
  let nextId = 1;
  let closed = false;

  const settle = (job: Job, outcome: { result: PoolHashResult } | { error: unknown }) => {
    if (job.settled) return;
    job.settled = true;
    job.removeAbortListener?.();
    if ('result' in outcome) {
      job.options.onProgress?.(outcome.result.sizeInBytes);
      job.resolve(outcome.result);
    } else {
      job.reject(outcome.error);
    }
  };

  const startWorker = (): Slot => {
    const worker = new Worker(workerUrl);
    const slot: Slot = { worker, job: undefined, idleTimer: undefined };
    slots.add(slot);
    worker.on('message', (message: FromWorkerMessage) => {
      const job = slot.job;
      if (job === undefined || job.id !== message.jobId) return;
      if (message.type === 'progress') {
        if (!job.settled) job.options.onProgress?.(message.bytesDone);
        return;
      }
      if (message.type === 'done') {
        settle(job, { result: { digest: message.digest, sizeInBytes: message.sizeInBytes } });
      } else if (message.type === 'failed') {
        settle(job, { error: hashFileError(message.error, job.path) });
      }
      // 'aborted': the job was rejected when its signal fired; the worker is free again.
      slot.job = undefined;
      dispatch();
    });
    const fail = (error: unknown) => {
      slots.delete(slot);
      if (slot.idleTimer) clearTimeout(slot.idleTimer);
      if (slot.job)
        settle(slot.job, {
          error: new Error('Hash worker stopped unexpectedly', { cause: error }),
        });
      slot.job = undefined;
      dispatch();
    };
    worker.on('error', fail);
    worker.on('exit', (exitCode) => {
      if (slots.has(slot)) fail(new Error(`exit code ${exitCode}`));
    });
    return slot;
  };

  const runInWorker = (slot: Slot, job: Job) => {
    if (slot.idleTimer) clearTimeout(slot.idleTimer);
    slot.idleTimer = undefined;
    slot.job = job;
    slot.worker.ref();
    const message: ToWorkerMessage = {
      type: 'hash',
      jobId: job.id,
      path: job.path,
      algorithm: job.algorithm,
      chunkSizeInBytes,
      progressIntervalInBytes,
    };
    slot.worker.postMessage(message);
  };

  const runInline = (job: Job) => {
    inlineActive += 1;
    // Jobs on this thread interleave by slices, so only a job running alone may borrow the buffer.
    if (inlineActive === 1) inlineBuffer ??= Buffer.allocUnsafe(chunkSizeInBytes);
    const buffer = inlineActive === 1 ? inlineBuffer : undefined;
    // Start after the caller's synchronous code: jobs it submits in the same turn go to workers
    // first, instead of waiting behind this thread's first slice.
    Promise.resolve()
      .then(() => {
        if (job.settled) throw job.options.signal?.reason ?? new Error('closed');
        return readAndHash(job.path, job.algorithm, {
          chunkSizeInBytes,
          ...(buffer ? { buffer } : {}),
          shouldStop: () =>
            job.settled ? (job.options.signal?.reason ?? new Error('closed')) : undefined,
          ...(job.options.onProgress ? { onProgress: job.options.onProgress } : {}),
        });
      })
      .then(
        (result) => settle(job, { result }),
        (error: unknown) => settle(job, { error: hashFileError(error, job.path) }),
      )
      .finally(() => {
        inlineActive -= 1;
        dispatch();
      });
  };

  const parkIdle = (slot: Slot) => {
    slot.worker.unref();
    if (slot.idleTimer === undefined) {
      slot.idleTimer = setTimeout(() => {
        slots.delete(slot);
        void slot.worker.terminate();
      }, idleTimeoutInMs);
      slot.idleTimer.unref();
    }
  };

  function dispatch(): void {
    while (queue.length > 0) {
      const job = queue[0]!;
      if (job.settled) {
        queue.shift();
        continue;
      }
      if (inlineActive < maxInline) {
        queue.shift();
        runInline(job);
        continue;
      }
      let slot = [...slots].find((candidate) => candidate.job === undefined);
      if (slot === undefined && slots.size < maxWorkerThreads) slot = startWorker();
      if (slot === undefined) return;
      queue.shift();
      runInWorker(slot, job);
    }
    for (const slot of slots) if (slot.job === undefined) parkIdle(slot);
  }

  return {
    concurrency,
    get activeCount() {
      return [...slots].filter((slot) => slot.job !== undefined).length + inlineActive;
    },
    get pendingCount() {
      return queue.filter((job) => !job.settled).length;
    },
    usesWorkerThreads,
    hash(path, algorithm, hashOptions = {}) {
      return new Promise<PoolHashResult>((resolve, reject) => {
        if (closed) {
          reject(new Error('The hash pool is closed'));
          return;
        }
        const { signal } = hashOptions;
        if (signal?.aborted) {
          reject(signal.reason);
          return;
        }
        const job: Job = {
          id: nextId++,
          path,
          algorithm,
          options: hashOptions,
          resolve,
          reject,
          settled: false,
        };
        if (signal) {
          const onAbort = () => {
            settle(job, { error: signal.reason });
            for (const slot of slots) {
              if (slot.job === job)
                slot.worker.postMessage({ type: 'abort', jobId: job.id } satisfies ToWorkerMessage);
            }
          };
          signal.addEventListener('abort', onAbort, { once: true });
          job.removeAbortListener = () => signal.removeEventListener('abort', onAbort);
        }
        queue.push(job);
        dispatch();
      });
    },
    async close() {
      closed = true;
      const error = new Error('The hash pool was closed');
      for (const job of queue.splice(0)) settle(job, { error });
      const running = [...slots];
      slots.clear();
      for (const slot of running) {
        if (slot.idleTimer) clearTimeout(slot.idleTimer);
        if (slot.job) settle(slot.job, { error });
      }
      await Promise.all(running.map((slot) => slot.worker.terminate()));
    },
  };
}
