import { isReady, type ModelInfo } from '@model-loader/core';
import { assertVersion, MODEL_VERSION, modelVersionParams } from './kserve-names.js';
import { modelNameParams } from './model-name.js';
import type { ModelSignature } from './model-signature.js';
import type { RouteContext, ZodApp } from './route-context.js';

/** Name and version `GET /v2` reports. */
export interface ServerIdentity {
  readonly name: string;
  readonly version: string;
}

/** What the KServe v2 metadata routes need beyond the shared context. */
export interface KserveOptions {
  readonly server: ServerIdentity;
  /** Model name -> inputs and outputs; a model without one shows empty lists. */
  readonly signatures: Readonly<Record<string, ModelSignature>>;
  /** True when the Triton repository routes are on (an admin token is set). */
  readonly modelRepository: boolean;
}

const tags = ['KServe v2'];
const empty: ModelSignature = { inputs: [], outputs: [] };

/**
 * The KServe v2 (open inference protocol) metadata routes: `GET /v2` (server metadata),
 * `GET /v2/models/{name}[/versions/{version}]` (model metadata: versions, platform = the adapter's
 * file format, inputs and outputs) and `GET /v2/models/{name}/versions/{version}/ready`.
 */
export function registerKserveRoutes(
  app: ZodApp,
  context: RouteContext,
  options: KserveOptions,
): void {
  const metadata = (info: ModelInfo) => {
    const signature = options.signatures[info.name] ?? empty;
    return {
      name: info.name,
      versions: [MODEL_VERSION],
      platform: info.format,
      inputs: signature.inputs,
      outputs: signature.outputs,
    };
  };

  app.get(
    '/v2',
    { schema: { tags, summary: 'Server metadata: name, version and protocol extensions' } },
    async () => ({
      name: options.server.name,
      version: options.server.version,
      extensions: options.modelRepository ? ['model_repository'] : [],
    }),
  );

  app.get(
    '/v2/models/:name',
    {
      schema: {
        tags,
        summary: 'Model metadata: versions, platform (file format), inputs and outputs',
        params: modelNameParams,
      },
    },
    async (request) => metadata(context.loader.getModelInfo(request.params.name)),
  );

  app.get(
    '/v2/models/:name/versions/:version',
    {
      schema: {
        tags,
        summary: 'Metadata of one model version (every model has the one version 1)',
        params: modelVersionParams,
      },
    },
    async (request) => {
      const info = context.loader.getModelInfo(request.params.name);
      assertVersion(info.name, request.params.version);
      return metadata(info);
    },
  );

  app.get(
    '/v2/models/:name/versions/:version/ready',
    {
      logLevel: 'warn',
      schema: {
        tags,
        summary: 'Readiness of one model version: 200 ready, 400 not ready',
        params: modelVersionParams,
      },
    },
    async (request, reply) => {
      const { name, version } = request.params;
      const info = context.loader.getModelInfo(name);
      assertVersion(name, version);
      const ready = !context.models.shuttingDown && isReady(info.state);
      return reply.code(ready ? 200 : 400).send({ name, ready });
    },
  );
}
