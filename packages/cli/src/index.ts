export { type CliIo, type OutputStream, processIo } from './cli-io.js';
export { EXIT_CODES, type ExitCode } from './exit-codes.js';
export {
  type ConfiguredModel,
  type ModelsConfig,
  parseModelsConfig,
  readModelsConfig,
} from './models-file-config.js';
export { runCli, usage } from './run-cli.js';
