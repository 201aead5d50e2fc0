export * from './adapter-spec-version.js';
export * from './function-adapter.js';
export * from './import-optional-module.js';
