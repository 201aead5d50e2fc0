import { ModelLoaderError } from '@model-loader/core';

/**
 * Runs `read` on a config, lock or checksum file given on the command line; a file that cannot be
 * read becomes CONFIG_INVALID (exit code 2), like any other bad input file.
 */
export async function readInputFile<T>(
  path: string,
  read: (path: string) => Promise<T>,
): Promise<T> {
  try {
    return await read(path);
  } catch (error) {
    if (ModelLoaderError.isInstance(error)) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    const reason =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EISDIR'
          ? 'is a directory'
          : code === 'EACCES'
            ? 'permission denied'
            : (error as Error).message;
    throw new ModelLoaderError('CONFIG_INVALID', `Cannot read ${path}: ${reason}`, {
      cause: error,
    });
  }
}
