// The `@model-loader/core/hashing` entry: only what hashing a file needs, so a short-lived process
// (the `model-loader hash` command) does not load the whole engine. Everything here is also
// exported from the main entry.

export type { ChecksumAlgorithm } from './checksum/checksum-algorithm.js';
export { isChecksumAlgorithm } from './checksum/checksum-algorithm.js';
export { ModelLoaderError } from './errors/model-loader-error.js';
export { formatChecksumLine } from './integrity/checksum-file.js';
export {
  createHashPool,
  type HashPool,
  type HashPoolOptions,
  type PoolHashOptions,
  type PoolHashResult,
} from './integrity/hash-pool.js';
export type { Logger } from './spec/logger.js';
