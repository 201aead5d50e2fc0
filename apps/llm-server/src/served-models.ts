import type { GgufModelHandle } from '@model-loader/adapter-gguf';
import type { Remote } from '@model-loader/core';

/**
 * What `app.models.run` hands to its function for any model of this server: every model of the
 * models file uses the GGUF adapter, and `Remote` covers both isolations (a handle in a process of
 * its own, or the handle itself with `ISOLATION=none`).
 */
export type ServedGgufModel = Remote<GgufModelHandle>;

declare module '@model-loader/fastify' {
  interface ModelLoaderRegister {
    /** The models file's names are only known at run time; each one is a GGUF model. */
    models: Record<string, ServedGgufModel>;
  }
}
