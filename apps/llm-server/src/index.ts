export { type BuildAppOptions, buildApp } from './app.js';
export { type DemoModels, ensureDemoModels } from './config/demo-models.js';
export {
  DEFAULT_PORT,
  type LlmServerConfig,
  type LoadLlmServerConfigOptions,
  loadLlmServerConfig,
} from './config/llm-server-config.js';
export { API_ERROR_CODES, ApiError, type ApiErrorCode } from './generation/api-error.js';
export type { ServedGgufModel } from './served-models.js';
