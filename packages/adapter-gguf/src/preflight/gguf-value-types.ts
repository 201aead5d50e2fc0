/** GGUF metadata value type of a string (gguf.h `GGUF_TYPE_STRING`). */
export const GGUF_STRING = 8;
/** GGUF metadata value type of an array (gguf.h `GGUF_TYPE_ARRAY`). */
export const GGUF_ARRAY = 9;
