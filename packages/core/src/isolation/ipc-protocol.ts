import { ERROR_CODES, type ErrorCode } from '../errors/error-codes.js';
import { ModelLoaderError } from '../errors/model-loader-error.js';
import type { LoadProgress } from '../spec/load-context.js';
import type { ModelInspection } from '../spec/model-adapter.js';
import type { ModelProcessEntry } from './model-process-entry.js';

/** A request the parent sends; the child answers each with one `result` (streams first send chunks). */
export type ProcessRequest =
  | { readonly op: 'init'; readonly entry: ModelProcessEntry }
  | {
      readonly op: 'estimate';
      readonly path: string;
      readonly options: unknown;
      /** The parent's `inspect` result, forwarded to the adapter's `estimateMemory`. */
      readonly inspection?: ModelInspection;
    }
  | {
      readonly op: 'load';
      readonly path: string;
      readonly options: unknown;
      readonly modelName: string;
      readonly attempt: number;
    }
  | { readonly op: 'call'; readonly method: string; readonly args: readonly unknown[] }
  | { readonly op: 'dispose' }
  | { readonly op: 'usage' };

/** Messages from the parent to the child. */
export type ParentMessage =
  | { readonly type: 'request'; readonly id: number; readonly request: ProcessRequest }
  /** Aborts the `index`-th AbortSignal of request `id`'s arguments (or its load signal: index 0). */
  | {
      readonly type: 'abort';
      readonly id: number;
      readonly index: number;
      readonly reason: unknown;
    }
  /** The parent stopped reading request `id`'s stream. */
  | { readonly type: 'cancel'; readonly id: number }
  | { readonly type: 'ping'; readonly id: number };

/** Messages from the child to the parent. */
export type ChildMessage =
  | {
      readonly type: 'result';
      readonly id: number;
      readonly ok: true;
      readonly value: unknown;
    }
  | { readonly type: 'result'; readonly id: number; readonly ok: false; readonly error: WireError }
  | { readonly type: 'chunk'; readonly id: number; readonly value: unknown }
  | { readonly type: 'progress'; readonly id: number; readonly progress: LoadProgress }
  | {
      readonly type: 'callback';
      readonly id: number;
      readonly index: number;
      readonly args: unknown[];
    }
  | {
      readonly type: 'log';
      readonly level: 'debug' | 'info' | 'warn' | 'error';
      readonly fields: unknown;
      readonly message: string;
    }
  | { readonly type: 'pong'; readonly id: number };

/** What the child reports about a loaded handle. */
export interface HandleDescription {
  /** Names of the handle's methods. */
  readonly methods: readonly string[];
  /** The handle's primitive properties at load time. */
  readonly values: Readonly<Record<string, unknown>>;
  /** Resident set size of the child right after the load. */
  readonly rssInBytes: number;
}

/** Resource use of a child, as `usage` reports it. */
export interface ProcessUsage {
  readonly rssInBytes: number;
}

/** An error flattened for IPC: name, message, the engine's code and fields, one level of cause. */
export interface WireError {
  readonly name: string;
  readonly message: string;
  readonly code?: string;
  readonly isRetryable?: boolean;
  readonly modelName?: string;
  readonly path?: string;
  readonly expected?: string;
  readonly actual?: string;
  readonly cause?: { readonly name: string; readonly message: string };
}

const SIGNAL_KEY = '__modelLoaderSignal';
const CALLBACK_KEY = '__modelLoaderCallback';
/** How deep into plain-object arguments AbortSignals and callbacks are looked for. */
const MAX_MARSHAL_DEPTH = 3;

export function toWireError(error: unknown): WireError {
  if (ModelLoaderError.isInstance(error)) {
    return {
      name: error.name,
      message: error.message,
      code: error.code,
      isRetryable: error.isRetryable,
      ...(error.modelName === undefined ? {} : { modelName: error.modelName }),
      ...(error.path === undefined ? {} : { path: error.path }),
      ...(error.expected === undefined ? {} : { expected: error.expected }),
      ...(error.actual === undefined ? {} : { actual: error.actual }),
      ...(error.cause instanceof Error
        ? { cause: { name: error.cause.name, message: error.cause.message } }
        : {}),
    };
  }
  if (error instanceof Error) return { name: error.name, message: error.message };
  return { name: 'Error', message: String(error) };
}

export function fromWireError(wire: WireError): Error {
  const cause = wire.cause ? Object.assign(new Error(wire.cause.message), wire.cause) : undefined;
  if (wire.code !== undefined && wire.code in ERROR_CODES) {
    return new ModelLoaderError(wire.code as ErrorCode, wire.message, {
      ...(wire.isRetryable === undefined ? {} : { isRetryable: wire.isRetryable }),
      ...(wire.modelName === undefined ? {} : { modelName: wire.modelName }),
      ...(wire.path === undefined ? {} : { path: wire.path }),
      ...(wire.expected === undefined ? {} : { expected: wire.expected }),
      ...(wire.actual === undefined ? {} : { actual: wire.actual }),
      ...(cause ? { cause } : {}),
    });
  }
  if (wire.name === 'AbortError' || wire.name === 'TimeoutError') {
    return new DOMException(wire.message, wire.name);
  }
  const error = new Error(wire.message, cause ? { cause } : undefined);
  error.name = wire.name;
  return error;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/**
 * Replaces AbortSignals and functions in call arguments (top level and inside plain objects and
 * arrays) by markers, since neither survives structured cloning; buffers and typed arrays pass as
 * they are (the `advanced` serialization copies them as binary, never as base64).
 */
export function marshalArguments(args: readonly unknown[]): {
  args: unknown[];
  signals: AbortSignal[];
  callbacks: ((...args: unknown[]) => unknown)[];
} {
  const signals: AbortSignal[] = [];
  const callbacks: ((...args: unknown[]) => unknown)[] = [];
  const walk = (value: unknown, depth: number): unknown => {
    if (value instanceof AbortSignal) {
      signals.push(value);
      return { [SIGNAL_KEY]: signals.length, aborted: value.aborted };
    }
    if (typeof value === 'function') {
      callbacks.push(value as (...args: unknown[]) => unknown);
      return { [CALLBACK_KEY]: callbacks.length - 1 };
    }
    if (depth >= MAX_MARSHAL_DEPTH) return value;
    if (Array.isArray(value)) return value.map((item) => walk(item, depth + 1));
    if (isPlainObject(value)) {
      return Object.fromEntries(
        Object.entries(value).map(([key, item]) => [key, walk(item, depth + 1)]),
      );
    }
    return value;
  };
  return { args: args.map((arg) => walk(arg, 0)), signals, callbacks };
}

/** The child's side of `marshalArguments`: markers become live signals and callbacks. */
export function unmarshalArguments(
  args: readonly unknown[],
  signalFor: (index: number, aborted: boolean) => AbortSignal,
  callbackFor: (index: number) => (...args: unknown[]) => void,
): unknown[] {
  const walk = (value: unknown, depth: number): unknown => {
    if (isPlainObject(value)) {
      if (typeof value[SIGNAL_KEY] === 'number') {
        return signalFor(value[SIGNAL_KEY], value.aborted === true);
      }
      if (typeof value[CALLBACK_KEY] === 'number') return callbackFor(value[CALLBACK_KEY]);
      if (depth >= MAX_MARSHAL_DEPTH) return value;
      return Object.fromEntries(
        Object.entries(value).map(([key, item]) => [key, walk(item, depth + 1)]),
      );
    }
    if (Array.isArray(value) && depth < MAX_MARSHAL_DEPTH) {
      return value.map((item) => walk(item, depth + 1));
    }
    return value;
  };
  return args.map((arg) => walk(arg, 0));
}
