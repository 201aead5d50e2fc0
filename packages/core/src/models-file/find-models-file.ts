import { access } from 'node:fs/promises';
import { resolve } from 'node:path';

/** Names a models file is looked for under, in this order. */
export const MODELS_FILE_NAMES = ['models.yaml', 'models.yml', 'models.json'] as const;

/**
 * The absolute path of the first of `models.yaml`, `models.yml`, `models.json` in `directory`, or
 * undefined when there is none.
 */
export async function findModelsFile(directory: string): Promise<string | undefined> {
  for (const name of MODELS_FILE_NAMES) {
    const path = resolve(directory, name);
    if (
      await access(path).then(
        () => true,
        () => false,
      )
    )
      return path;
  }
  return undefined;
}
