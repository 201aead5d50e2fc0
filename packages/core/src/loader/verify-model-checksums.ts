import { join, relative } from 'node:path';
import { verifyChecksum } from '../checksum/checksum-verifier.js';
import type { ExpectedChecksum } from '../checksum/parse-checksum.js';
import { lockedChecksumsFor } from '../integrity/locked-checksums.js';
import { resolveModelPath } from '../validation/resolve-model-path.js';
import { type ValidatedModel, validateModel } from '../validation/validate-model-file.js';
import type { LoaderRuntime } from './loader-runtime.js';
import type { RegisteredModel } from './registered-model.js';

/**
 * Verifies the model's files against the spec's checksums, else the lock file's; records each
 * result on the model. Files nothing pins are logged as unverified.
 */
export async function verifyModelChecksums(
  runtime: LoaderRuntime,
  model: RegisteredModel,
  validated: ValidatedModel,
  signal: AbortSignal,
): Promise<void> {
  const { settings } = runtime;
  model.verified = new Map();
  if (!settings.validateChecksums) return;
  const pinned = model.registration.checksums;
  const expected = pinned.size > 0 ? pinned : await lockedChecksums(runtime, model, validated);
  const unpinned = validated.files.filter((file) => !expected.has(file.relativePath));
  if (unpinned.length > 0) {
    settings.logger.warn(
      { model: model.name, files: unpinned.map((file) => relative(settings.modelDir, file.path)) },
      `Model '${model.name}' runs unverified: no checksum pins ${unpinned.length === validated.files.length ? 'its files' : 'some of its files'}`,
    );
  }
  await Promise.all(
    [...expected].map(async ([relativePath, checksum]) => {
      const path =
        relativePath === '.'
          ? validated.path
          : await resolveModelPath(
              settings.modelDir,
              join(validated.path, relativePath),
              model.name,
            );
      const size =
        validated.files.find((file) => file.path === path)?.sizeInBytes ??
        (
          await validateModel({
            ...model.validationTarget(settings.modelDir),
            specPath: path,
            kind: 'file',
          })
        ).sizeInBytes;
      const started = performance.now();
      const result = await verifyChecksum(settings.checksumVerifier, path, checksum, {
        signal,
        modelName: model.name,
        onProgress: (done) =>
          runtime.emit('progress', { name: model.name, step: 'checksum', done, total: size }),
      });
      model.verified.set(relativePath, result);
      runtime.emit('checksumVerified', {
        name: model.name,
        file: relativePath,
        algorithm: result.algorithm,
        sizeInBytes: size,
        durationInMs: performance.now() - started,
        source: result.source,
      });
    }),
  );
}

/** Checksums the lock file pins for the model's files (none without a lock file). */
async function lockedChecksums(
  runtime: LoaderRuntime,
  model: RegisteredModel,
  validated: ValidatedModel,
): Promise<Map<string, ExpectedChecksum>> {
  const { lockSource, modelDir } = runtime.settings;
  if (lockSource === undefined) return new Map();
  const files = validated.files.map((file) => ({
    relativePath: file.relativePath,
    pathInModelDir: relative(modelDir, file.path),
  }));
  return lockedChecksumsFor(await lockSource.read(), files, {
    modelName: model.name,
    allowUnpinned: model.registration.allowUnpinned,
  });
}
