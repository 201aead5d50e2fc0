import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { parseAllDocuments } from 'yaml';

/** The deploy folder. */
export const deployDir = join(import.meta.dirname, '..');

/** One Kubernetes object read from a manifest file. */
export interface ManifestObject {
  readonly file: string;
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly labels?: Record<string, string> };
  // biome-ignore lint/suspicious/noExplicitAny: manifests are free-form YAML, checked field by field in tests
  readonly [field: string]: any;
}

/** Every `.yaml` file under `deploy/kubernetes`, relative to `deploy/`. */
export async function manifestFiles(): Promise<string[]> {
  const entries = await readdir(join(deployDir, 'kubernetes'), {
    recursive: true,
    withFileTypes: true,
  });
  return entries
    .filter((entry) => entry.isFile() && entry.name.endsWith('.yaml'))
    .map((entry) => relative(deployDir, join(entry.parentPath, entry.name)))
    .sort();
}

/** Parses every document of a manifest file; throws on any YAML error. */
export async function readManifest(file: string): Promise<ManifestObject[]> {
  const text = await readFile(join(deployDir, file), 'utf8');
  return parseAllDocuments(text).map((document) => {
    if (document.errors.length > 0) throw new Error(`${file}: ${document.errors[0]?.message}`);
    return { file, ...(document.toJS() as Omit<ManifestObject, 'file'>) } as ManifestObject;
  });
}

/** The Deployment of an app from its base folder. */
export async function baseDeployment(app: string): Promise<ManifestObject> {
  const [deployment] = await readManifest(`kubernetes/base/${app}/deployment.yaml`);
  if (!deployment) throw new Error(`no Deployment for ${app}`);
  return deployment;
}
