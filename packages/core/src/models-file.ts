// The `@model-loader/core/models-file` entry: the models-file schema and reader (zod and yaml), kept
// out of the main entry so that a program that only loads models does not load them.

export { findModelsFile, MODELS_FILE_NAMES } from './models-file/find-models-file.js';
export {
  type KeepAliveInput,
  keepAliveProblem,
  parseKeepAliveInMs,
} from './models-file/keep-alive.js';
export {
  isolationSchema,
  type ModelFields,
  type ModelFieldsInput,
  modelFieldsSchema,
} from './models-file/model-fields-schema.js';
export { type ModelLimits, modelLimitsSchema } from './models-file/model-limits-schema.js';
export {
  type AnyModelsFile,
  createModelsFileSchema,
  type ModelEntry,
  type ModelsFile,
  type ModelsFileSchemaOptions,
  modelNamePattern,
} from './models-file/models-file-schema.js';
export {
  checkModelsFile,
  type IssueFormatter,
  isJsonModelsFile,
  type ModelsFileOrigin,
  parseModelsFileText,
  type ReadModelsFileOptions,
  readModelsFile,
  readModelsFileText,
} from './models-file/read-models-file.js';
