import { ModelLoaderError } from '@model-loader/core';

/** What a server's config says about the demo models. */
export interface DemoFields {
  /** True when the demo models are served (DEMO=1). */
  readonly demo: boolean;
  /** Demo model files or folders written at this start (empty when they were there already). */
  readonly generatedDemoModels: readonly string[];
}

/**
 * Ends a server's process after a failed start: a configuration error is the operator's to fix,
 * so it is one coded line and exit 2 (as the CLI does); anything else, its message and exit 1.
 */
export function exitOnStartError(appName: string, error: unknown): never {
  if (ModelLoaderError.hasCode(error, 'CONFIG_INVALID')) {
    console.error(`${appName}: ${error.code}: ${error.message}`);
    process.exit(2);
  }
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
}
