import { ModelLoaderError } from '@model-loader/core';
import type { LlamaContext, LlamaContextSequence } from 'node-llama-cpp';

/** Counters of a sequence pool, for health and metrics. */
export interface SequencePoolStats {
  /** Sequences in the pool: requests served at once. */
  readonly size: number;
  /** Requests holding a sequence. */
  readonly activeCount: number;
  /** Requests waiting for one. */
  readonly pendingCount: number;
}

interface Waiter {
  resolve(sequence: LlamaContextSequence): void;
  reject(error: unknown): void;
}

/**
 * A bounded pool over the sequences of one context: each request takes a sequence, starts from a
 * cleared history, and gives it back; requests past the pool size wait (in order, abortable), and
 * more than `maxQueued` waiting requests are refused with MODEL_BUSY.
 */
export class SequencePool {
  private readonly free: LlamaContextSequence[] = [];
  private readonly waiters: Waiter[] = [];
  private active = 0;
  private closed = false;

  constructor(
    private readonly context: LlamaContext,
    private readonly maxQueued: number,
  ) {}

  get stats(): SequencePoolStats {
    return {
      size: this.context.totalSequences,
      activeCount: this.active,
      pendingCount: this.waiters.length,
    };
  }

  /** Takes a sequence, waiting for one when all are busy. */
  async acquire(signal?: AbortSignal): Promise<LlamaContextSequence> {
    signal?.throwIfAborted();
    if (this.closed) throw new Error('The model was disposed');
    const ready = this.free.pop();
    if (ready) {
      this.active++;
      return ready;
    }
    if (this.context.sequencesLeft > 0) {
      this.active++;
      return this.context.getSequence();
    }
    if (this.waiters.length >= this.maxQueued) {
      throw new ModelLoaderError(
        'MODEL_BUSY',
        `Too many requests waiting for the model (${this.maxQueued})`,
      );
    }
    return new Promise<LlamaContextSequence>((resolve, reject) => {
      const onAbort = () => {
        const index = this.waiters.indexOf(waiter);
        if (index >= 0) this.waiters.splice(index, 1);
        reject(signal?.reason);
      };
      const waiter: Waiter = {
        resolve: (sequence) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(sequence);
        },
        reject: (error) => {
          signal?.removeEventListener('abort', onAbort);
          reject(error);
        },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.push(waiter);
    });
  }

  /** Gives a sequence back with its history cleared; the next waiter gets it. */
  async release(sequence: LlamaContextSequence): Promise<void> {
    try {
      if (!sequence.disposed) await sequence.clearHistory();
    } finally {
      const waiter = this.waiters.shift();
      if (waiter && !this.closed) {
        waiter.resolve(sequence);
      } else {
        this.active--;
        this.free.push(sequence);
      }
    }
  }

  /** Refuses new and waiting requests. */
  close(): void {
    this.closed = true;
    for (const waiter of this.waiters.splice(0)) waiter.reject(new Error('The model was disposed'));
  }
}
