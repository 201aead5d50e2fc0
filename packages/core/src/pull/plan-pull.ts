import { posix } from 'node:path';
import { isSingleChecksum } from '../checksum/normalize-checksums.js';
import { type ExpectedChecksum, parseChecksum } from '../checksum/parse-checksum.js';
import { ModelLoaderError } from '../errors/model-loader-error.js';
import type { LockFile } from '../integrity/lock-file.js';
import type { ChecksumInput } from '../spec/model-spec.js';
import { folderFileSource, formatModelSource, parseModelSource } from './model-source.js';
import type { FileToPull } from './pull-files.js';

/** A model of a models file, as far as pulling is concerned. */
export interface ModelToPull {
  readonly name: string;
  /** Path relative to the model directory, `/`-separated. */
  readonly path: string;
  /** `https://...`, `http://...` or `hf://org/repo/path@revision`; for a folder, its base. */
  readonly source?: string;
  readonly checksum?: ChecksumInput | Readonly<Record<string, ChecksumInput>>;
  /** `directory` for a folder model (a directory adapter). @default inferred from the pins */
  readonly kind?: 'file' | 'directory';
}

/** A model that cannot be pulled, and why. */
export interface PullPlanProblem {
  readonly model: string;
  readonly path: string;
  readonly code: 'PULL_NOT_PINNED';
  readonly message: string;
}

/** What {@link planPull} found. */
export interface PullPlan {
  readonly files: readonly FileToPull[];
  /** Models with a source that cannot be pulled (a folder with no file list). */
  readonly problems: readonly PullPlanProblem[];
  /** Models without a source (left to whoever puts their files in place). */
  readonly withoutSource: readonly ModelToPull[];
}

/**
 * The files to pull for models with a `source`. A file model pulls its source to its `path`. A
 * folder model's source is a base: each of its files (the keys of its checksum record, or the lock
 * file's entries under its folder) is fetched from the base with the file's path inside the folder
 * appended (see `folderFileSource`). Pins come from the model's checksum, else the lock file.
 * @throws ModelLoaderError MODEL_SOURCE_INVALID, CHECKSUM_INVALID
 */
export function planPull(
  models: readonly ModelToPull[],
  options: { readonly lock?: LockFile; readonly pin?: boolean } = {},
): PullPlan {
  const files: FileToPull[] = [];
  const problems: PullPlanProblem[] = [];
  const withoutSource: ModelToPull[] = [];
  for (const model of models) {
    if (model.source === undefined) {
      withoutSource.push(model);
      continue;
    }
    let source: ReturnType<typeof parseModelSource>;
    try {
      source = parseModelSource(model.source);
    } catch (error) {
      throw new ModelLoaderError(
        'MODEL_SOURCE_INVALID',
        `model '${model.name}': ${(error as Error).message}`,
        { modelName: model.name, cause: error },
      );
    }
    const lockedUnder = (options.lock?.files ?? []).filter((file) =>
      file.path.startsWith(`${model.path}/`),
    );
    const lockedSelf = options.lock?.files.find((file) => file.path === model.path);
    const kind =
      model.kind ??
      (model.checksum !== undefined && !isSingleChecksum(model.checksum)
        ? 'directory'
        : lockedSelf === undefined && lockedUnder.length > 0
          ? 'directory'
          : 'file');
    const common = { model: model.name };
    if (kind === 'file' && source.kind === 'huggingface' && source.path === '') {
      throw new ModelLoaderError(
        'MODEL_SOURCE_INVALID',
        `model '${model.name}': the source ${model.source} names a repository, not a file; write hf://<org>/<repo>/<path>@<revision>`,
        { modelName: model.name },
      );
    }
    if (kind === 'file') {
      const expected: ExpectedChecksum | undefined =
        model.checksum !== undefined && isSingleChecksum(model.checksum)
          ? parseChecksum(model.checksum, model.name)
          : lockedSelf && { algorithm: lockedSelf.algorithm, digest: lockedSelf.digest };
      files.push({
        ...common,
        path: model.path,
        source: formatModelSource(source),
        ...(expected === undefined ? {} : { expected }),
        ...(lockedSelf && expected?.digest === lockedSelf.digest
          ? { sizeInBytes: lockedSelf.sizeInBytes }
          : {}),
      });
      continue;
    }
    const pinned: FileToPull[] =
      model.checksum !== undefined && !isSingleChecksum(model.checksum)
        ? Object.entries(model.checksum).map(([relativePath, input]) => {
            const path = posix.join(model.path, relativePath);
            const locked = options.lock?.files.find((file) => file.path === path);
            const expected = parseChecksum(input, model.name);
            return {
              ...common,
              path,
              source: formatModelSource(folderFileSource(source, relativePath)),
              expected,
              ...(locked && locked.digest === expected.digest
                ? { sizeInBytes: locked.sizeInBytes }
                : {}),
            };
          })
        : lockedUnder.map((file) => ({
            ...common,
            path: file.path,
            source: formatModelSource(
              folderFileSource(source, file.path.slice(model.path.length + 1)),
            ),
            expected: { algorithm: file.algorithm, digest: file.digest },
            sizeInBytes: file.sizeInBytes,
          }));
    if (pinned.length === 0) {
      problems.push({
        model: model.name,
        path: model.path,
        code: 'PULL_NOT_PINNED',
        message: `model '${model.name}' is a folder with a source but no list of its files: pin them in its \`checksum\` record or in the lock file (a folder cannot be pinned on first download)`,
      });
      continue;
    }
    files.push(...pinned);
  }
  return { files, problems, withoutSource };
}
