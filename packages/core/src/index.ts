export * from './adapter-kit/index.js';
export * from './checksum/checksum-algorithm.js';
export * from './checksum/checksum-verifier.js';
export * from './checksum/hash-file.js';
export * from './checksum/normalize-checksums.js';
export * from './checksum/parse-checksum.js';
export * from './errors/error-codes.js';
export * from './errors/file-system-error.js';
export * from './errors/format-issues.js';
export * from './errors/model-loader-error.js';
export * from './events/model-loader-events.js';
export * from './health/health-status.js';
export * from './integrity/checksum-file.js';
export * from './integrity/create-checksum-verifier.js';
export * from './integrity/create-lock-file.js';
export * from './integrity/file-fingerprint.js';
export * from './integrity/fingerprint-cache.js';
export * from './integrity/hash-pool.js';
export * from './integrity/lock-file.js';
export * from './integrity/verify-files.js';
export {
  type RemoteProcessInfo,
  remoteProcessInfo,
} from './isolation/create-remote-handle.js';
export type { HandleDescription, ProcessUsage } from './isolation/ipc-protocol.js';
export * from './isolation/isolate-adapter.js';
export * from './isolation/model-process.js';
export * from './isolation/model-process-entry.js';
export * from './isolation/process-exit.js';
export * from './lifecycle/model-state.js';
export * from './lifecycle/restart-budget.js';
export * from './model-info.js';
export * from './model-loader.js';
export * from './model-loader-options.js';
export * from './model-registry.js';
export {
  type KeepAliveInput,
  keepAliveProblem,
  parseKeepAliveInMs,
} from './models-file/keep-alive.js';
export * from './pull/confine-target.js';
export * from './pull/download-file.js';
export * from './pull/http-range.js';
export * from './pull/model-source.js';
export * from './pull/plan-pull.js';
export * from './pull/pull-files.js';
export * from './retry/backoff-options.js';
export * from './retry/retry-with-backoff.js';
export * from './scheduler/concurrency-limiter.js';
export * from './scheduler/memory-budget.js';
export * from './spec/load-context.js';
export * from './spec/logger.js';
export * from './spec/model-adapter.js';
export * from './spec/model-format.js';
export * from './spec/model-spec.js';
export {
  type ChunkProducer,
  type ChunkStream,
  createChunkStream,
} from './streams/create-chunk-stream.js';
export * from './validation/resolve-model-path.js';
export * from './validation/sniff-format.js';
export * from './validation/validate-model-file.js';
