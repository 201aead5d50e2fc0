import { type ChildProcess, fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ModelLoaderError } from '../errors/model-loader-error.js';
import type { LoadProgress } from '../spec/load-context.js';
import type { Logger } from '../spec/logger.js';
import {
  type ChildMessage,
  fromWireError,
  marshalArguments,
  type ParentMessage,
  type ProcessRequest,
} from './ipc-protocol.js';
import { describeExit, type ProcessExit } from './process-exit.js';

/** Timing of a model process's supervision. */
export interface ModelProcessTimeouts {
  /** Interval of the liveness ping. @default 5000 */
  readonly heartbeatIntervalInMs?: number;
  /** A process that answers no ping for this long is killed. @default 30000 */
  readonly unresponsiveAfterInMs?: number;
  /** Between SIGTERM and SIGKILL when a process is stopped. @default 3000 */
  readonly killGraceInMs?: number;
}

/** Options of one model process. */
export interface ModelProcessOptions extends ModelProcessTimeouts {
  readonly modelName: string;
  readonly logger: Logger;
  /** Extra `execArgv` for the child (for example `--max-old-space-size=...`). */
  readonly execArgv?: readonly string[];
}

interface PendingCall {
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
  readonly onChunk?: (value: unknown) => void;
  readonly onProgress?: (progress: LoadProgress) => void;
  readonly callbacks: readonly ((...args: unknown[]) => unknown)[];
  readonly signals: readonly AbortSignal[];
  readonly cleanup: () => void;
  /** When the caller aborted it. */
  abortedAt?: number;
}

/** Per-call hooks of {@link ModelProcess.request}. */
export interface RequestHooks {
  /** Signals to forward; the first is the request's own (index 0 on the child's side). */
  readonly signal?: AbortSignal;
  readonly onChunk?: (value: unknown) => void;
  readonly onProgress?: (progress: LoadProgress) => void;
}

const STDERR_LINES = 20;

function childEntry(): string {
  const here = fileURLToPath(import.meta.url);
  // Core's own tests run this module from its TypeScript source; the child always runs compiled.
  const compiled = here.endsWith('.ts')
    ? fileURLToPath(new URL('../../dist/isolation/model-process-child.js', import.meta.url))
    : fileURLToPath(new URL('./model-process-child.js', import.meta.url));
  if (!existsSync(compiled)) {
    throw new ModelLoaderError(
      'CONFIG_INVALID',
      'The model process entry is not built: run the build of @model-loader/core',
    );
  }
  return compiled;
}

/**
 * One supervised child process that hosts one model. Requests are answered over IPC with the
 * `advanced` serialization (buffers and typed arrays cross as binary). When the process exits for
 * any reason every request in flight rejects with MODEL_PROCESS_EXITED, naming the signal or exit
 * code and the last lines of its stderr. A process that answers no ping within
 * `unresponsiveAfterInMs` is killed (SIGTERM, then SIGKILL).
 */
export class ModelProcess {
  readonly pid: number;
  /** Set once the process has exited. */
  exit?: ProcessExit;
  /** Settles when the process has exited. */
  readonly exited: Promise<ProcessExit>;
  private readonly child: ChildProcess;
  private readonly pending = new Map<number, PendingCall>();
  private readonly stderrTail: string[] = [];
  private readonly listeners = new Set<(exit: ProcessExit, error: ModelLoaderError) => void>();
  private nextId = 1;
  private stopping = false;
  /** When the child last sent anything; undefined until its first message (startup is not timed). */
  private lastPongAt: number | undefined;
  private readonly heartbeat: NodeJS.Timeout;
  private readonly killGraceInMs: number;
  private killedFor?: string;

  constructor(private readonly options: ModelProcessOptions) {
    this.killGraceInMs = options.killGraceInMs ?? 3000;
    this.child = fork(childEntry(), [], {
      serialization: 'advanced',
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      execArgv: [...(options.execArgv ?? [])],
      env: { ...process.env, MODEL_LOADER_MODEL_PROCESS: options.modelName },
    });
    if (this.child.pid === undefined) {
      throw new ModelLoaderError(
        'MODEL_LOAD_FAILED',
        `Could not start a process for model '${options.modelName}'`,
        { modelName: options.modelName },
      );
    }
    this.pid = this.child.pid;
    this.child.stdout?.setEncoding('utf8').on('data', (text: string) => {
      for (const line of text.split('\n')) {
        if (line.trim()) options.logger.debug({ model: options.modelName, source: 'stdout' }, line);
      }
    });
    this.child.stderr?.setEncoding('utf8').on('data', (text: string) => {
      for (const line of text.split('\n')) {
        if (!line.trim()) continue;
        this.stderrTail.push(line);
        if (this.stderrTail.length > STDERR_LINES) this.stderrTail.shift();
        options.logger.warn({ model: options.modelName, source: 'stderr' }, line);
      }
    });
    this.child.on('message', (message: ChildMessage) => this.onMessage(message));
    this.child.on('error', (error) =>
      options.logger.error({ model: options.modelName, err: error }, 'model process error'),
    );
    const interval = options.heartbeatIntervalInMs ?? 5000;
    const unresponsiveAfter = options.unresponsiveAfterInMs ?? 30_000;
    // A call may keep the child's event loop busy for long (ten minutes of audio is decoded and
    // resampled in one go): pings are only required while it is idle. A busy child that ignores
    // an abort of its call for as long is treated as hung.
    this.heartbeat = setInterval(() => {
      const now = performance.now();
      const silentFor = this.lastPongAt === undefined ? 0 : now - this.lastPongAt;
      if (this.pending.size === 0 && silentFor > unresponsiveAfter) {
        void this.kill(`it answered no ping for ${unresponsiveAfter} ms`);
        return;
      }
      for (const call of this.pending.values()) {
        if (call.abortedAt !== undefined && now - call.abortedAt > unresponsiveAfter) {
          void this.kill(`it did not stop an aborted call within ${unresponsiveAfter} ms`);
          return;
        }
      }
      this.post({ type: 'ping', id: 0 });
    }, interval);
    this.heartbeat.unref();
    this.exited = new Promise((resolve) => {
      // 'close' does not always follow a disconnected channel: take 'exit', then give stderr a
      // moment to drain so its last lines (an assertion message before SIGABRT) are in the tail.
      const stderrEnded = new Promise<void>((resolveEnd) => {
        if (!this.child.stderr || this.child.stderr.readableEnded) resolveEnd();
        this.child.stderr?.once('end', resolveEnd).once('error', () => resolveEnd());
      });
      this.child.once('exit', async (code, signal) => {
        clearInterval(this.heartbeat);
        await Promise.race([
          stderrEnded,
          new Promise((resolveWait) => setTimeout(resolveWait, 200)),
        ]);
        const exit: ProcessExit = {
          pid: this.pid,
          code,
          signal,
          at: new Date().toISOString(),
          stderrTail: [...this.stderrTail],
          expected: this.stopping,
          ...(this.killedFor ? { killedFor: this.killedFor } : {}),
        };
        this.exit = exit;
        const error = new ModelLoaderError(
          'MODEL_PROCESS_EXITED',
          `The process of model '${options.modelName}' ${describeExit(exit)}`,
          { modelName: options.modelName, isRetryable: !this.stopping },
        );
        for (const call of this.pending.values()) {
          call.cleanup();
          call.reject(error);
        }
        this.pending.clear();
        for (const listener of this.listeners) listener(exit, error);
        resolve(exit);
      });
    });
  }

  /** True while the process runs and was not asked to stop. */
  get alive(): boolean {
    return this.exit === undefined && !this.stopping;
  }

  /** Called once when the process exits, with the error in-flight calls got. */
  onExit(listener: (exit: ProcessExit, error: ModelLoaderError) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Sends a request; for `call`, `args` may hold AbortSignals and callbacks. */
  request(request: ProcessRequest, hooks: RequestHooks = {}): Promise<unknown> {
    return this.start(request, hooks).result;
  }

  /** {@link request}, with the request's id (for `cancel`). */
  start(
    request: ProcessRequest,
    hooks: RequestHooks = {},
  ): { id: number; result: Promise<unknown> } {
    const id = this.nextId++;
    return { id, result: this.send(id, request, hooks) };
  }

  private send(id: number, request: ProcessRequest, hooks: RequestHooks): Promise<unknown> {
    if (this.exit) {
      return Promise.reject(
        new ModelLoaderError(
          'MODEL_PROCESS_EXITED',
          `The process of model '${this.options.modelName}' ${describeExit(this.exit)}`,
          { modelName: this.options.modelName },
        ),
      );
    }
    let sent: ProcessRequest = request;
    let signals: AbortSignal[] = hooks.signal ? [hooks.signal] : [];
    let callbacks: ((...args: unknown[]) => unknown)[] = [];
    if (request.op === 'call') {
      const marshalled = marshalArguments(request.args);
      sent = { ...request, args: marshalled.args };
      callbacks = marshalled.callbacks;
      // Index 0 is the request's own signal; argument signals are numbered from 1.
      signals = [hooks.signal ?? new AbortController().signal, ...marshalled.signals];
    }
    return new Promise((resolve, reject) => {
      const removers = signals.map((signal, index) => {
        const onAbort = () => {
          const call = this.pending.get(id);
          if (call) call.abortedAt ??= performance.now();
          this.post({ type: 'abort', id, index, reason: serializableReason(signal.reason) });
        };
        signal.addEventListener('abort', onAbort, { once: true });
        return () => signal.removeEventListener('abort', onAbort);
      });
      this.pending.set(id, {
        resolve,
        reject,
        callbacks,
        signals,
        ...(hooks.onChunk ? { onChunk: hooks.onChunk } : {}),
        ...(hooks.onProgress ? { onProgress: hooks.onProgress } : {}),
        cleanup: () => {
          for (const remove of removers) remove();
        },
      });
      this.post({ type: 'request', id, request: sent });
      if (hooks.signal?.aborted) {
        this.post({ type: 'abort', id, index: 0, reason: serializableReason(hooks.signal.reason) });
      }
    });
  }

  /** Tells the child to stop reading the stream of a running request (the parent stopped). */
  cancel(id: number): void {
    this.post({ type: 'cancel', id });
  }

  /**
   * Ends the process: closes the IPC channel (the child exits on its own), then SIGTERM and,
   * after the grace period, SIGKILL. Resolves once it has exited.
   */
  async stop(): Promise<ProcessExit> {
    this.stopping = true;
    if (this.exit) return this.exit;
    if (this.child.connected) this.child.disconnect();
    const term = setTimeout(() => this.child.kill('SIGTERM'), this.killGraceInMs);
    const kill = setTimeout(() => this.child.kill('SIGKILL'), this.killGraceInMs * 2);
    try {
      return await this.exited;
    } finally {
      clearTimeout(term);
      clearTimeout(kill);
    }
  }

  /** Kills a process that hangs: SIGTERM, then SIGKILL after the grace period. */
  async kill(reason?: string): Promise<ProcessExit> {
    if (reason) this.killedFor ??= reason;
    if (this.exit) return this.exit;
    this.child.kill('SIGTERM');
    const kill = setTimeout(() => this.child.kill('SIGKILL'), this.killGraceInMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(kill);
    }
  }

  private post(message: ParentMessage): void {
    if (!this.child.connected) return;
    this.child.send(message, undefined, undefined, () => {});
  }

  private onMessage(message: ChildMessage): void {
    this.lastPongAt = performance.now();
    switch (message.type) {
      case 'pong':
        return;
      case 'log':
        this.options.logger[message.level](
          {
            model: this.options.modelName,
            ...(typeof message.fields === 'object' ? (message.fields as object) : {}),
          },
          message.message,
        );
        return;
      case 'chunk':
        this.pending.get(message.id)?.onChunk?.(message.value);
        return;
      case 'progress':
        this.pending.get(message.id)?.onProgress?.(message.progress);
        return;
      case 'callback':
        try {
          void this.pending.get(message.id)?.callbacks[message.index]?.(...message.args);
        } catch (error) {
          this.options.logger.warn({ model: this.options.modelName, err: error }, 'callback threw');
        }
        return;
      case 'result': {
        const call = this.pending.get(message.id);
        if (!call) return;
        this.pending.delete(message.id);
        call.cleanup();
        if (message.ok) {
          call.resolve(message.value);
          return;
        }
        // An aborted call rejects with the caller's own reason, as it would in process.
        const aborted = call.signals.find((signal) => signal.aborted);
        call.reject(aborted ? aborted.reason : fromWireError(message.error));
        return;
      }
    }
  }
}

function serializableReason(reason: unknown): unknown {
  if (reason instanceof DOMException) return new DOMException(reason.message, reason.name);
  if (reason instanceof Error) return new Error(reason.message);
  return undefined;
}
