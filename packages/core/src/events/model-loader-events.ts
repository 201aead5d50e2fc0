import type { ModelLoaderError } from '../errors/model-loader-error.js';
import type { ModelState } from '../lifecycle/model-state.js';
import type { LoadProgress } from '../spec/load-context.js';

/** Events of a `ModelLoader`, by name. */
export interface ModelLoaderEvents extends Record<string, unknown> {
  /** A model moved from one state to another. */
  stateChange: { readonly name: string; readonly from: ModelState; readonly to: ModelState };
  /** A load (or reload) began. */
  loadStart: { readonly name: string; readonly reload: boolean };
  /** A load ended; `error` is set when it failed. */
  loadEnd: {
    readonly name: string;
    readonly reload: boolean;
    readonly ok: boolean;
    readonly durationInMs: number;
    readonly attempts: number;
    readonly error?: ModelLoaderError;
  };
  /** One attempt failed and will be retried after `nextDelayInMs`. */
  attemptFailed: {
    readonly name: string;
    readonly attempt: number;
    readonly error: ModelLoaderError;
    readonly nextDelayInMs: number;
  };
  /** A checksum was verified (computed or taken from a cache). */
  checksumVerified: {
    readonly name: string;
    readonly file: string;
    readonly algorithm: string;
    readonly sizeInBytes: number;
    readonly durationInMs: number;
    readonly source: 'computed' | 'cache';
  };
  /**
   * The scheduler loaded a model for a caller (`on-demand`) or unloaded an idle one (`keep-alive`
   * ran out, or `evicted` to make room in the memory budget for `forModel`).
   */
  scheduled: {
    readonly name: string;
    readonly action: 'load' | 'unload';
    readonly reason: 'on-demand' | 'keep-alive' | 'evicted';
    readonly forModel?: string;
  };
  /** Progress of hashing or loading. */
  progress: { readonly name: string } & LoadProgress;
}
