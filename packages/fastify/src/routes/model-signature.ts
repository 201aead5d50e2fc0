/** One input or output of a model in the KServe v2 metadata (`$metadata_tensor`). */
export interface TensorMetadata {
  readonly name: string;
  /** A KServe v2 datatype: `BYTES`, `FP32`, `INT32`, ... */
  readonly datatype: string;
  /** Dimensions; -1 is a dimension of any size. */
  readonly shape: readonly number[];
}

/** What a model takes and gives, as `GET /v2/models/{name}` shows it. */
export interface ModelSignature {
  readonly inputs: readonly TensorMetadata[];
  readonly outputs: readonly TensorMetadata[];
}

const bytes = (name: string): TensorMetadata => ({ name, datatype: 'BYTES', shape: [-1] });

/**
 * Signatures of the models of the bundled adapters, by adapter name (the keys of a server's adapter
 * map): text in and out for GGUF (the names Triton's LLM backends use), an encoded audio file or
 * image in and text out for Whisper and OCR. An adapter without an entry shows empty lists.
 */
export const SIGNATURES_BY_ADAPTER: Readonly<Record<string, ModelSignature>> = {
  gguf: { inputs: [bytes('text_input')], outputs: [bytes('text_output')] },
  whisper: { inputs: [bytes('audio')], outputs: [bytes('text')] },
  ocr: { inputs: [bytes('image')], outputs: [bytes('text')] },
};
