/** Name, values per block and bytes per block of one ggml tensor type. */
export interface GgmlTypeInfo {
  readonly name: string;
  readonly blockSize: number;
  readonly typeSize: number;
  /**
   * Whether ggml's CPU backend has a dot-product kernel for it (`vec_dot` in `type_traits_cpu`,
   * ggml/src/ggml-cpu/ggml-cpu.c): only those can be weights. Q8_1 and Q8_K are the quantized
   * activation types other kernels multiply with, I8-I64 and F64 have no kernel; llama.cpp loads
   * such a weight and then crashes (SIGSEGV on a null kernel, or SIGABRT).
   */
  readonly isWeightType: boolean;
}

/**
 * ggml tensor types known to the llama.cpp that node-llama-cpp 3.21.1 ships (GGML_TYPE_COUNT = 43).
 * Block sizes and byte sizes are facts from ggml's `type_traits` table and the `block_*` structs in
 * ggml-common.h; which types have a CPU kernel is read from `type_traits_cpu` in ggml-cpu.c of the same
 * llama.cpp (the source node-llama-cpp ships as llama/gitRelease.bundle). Removed types (4, 5, 31-33, 36-38) are absent: llama.cpp cannot load them.
 */
const table: Record<number, GgmlTypeInfo> = {
  0: { name: 'F32', blockSize: 1, typeSize: 4, isWeightType: true },
  1: { name: 'F16', blockSize: 1, typeSize: 2, isWeightType: true },
  2: { name: 'Q4_0', blockSize: 32, typeSize: 18, isWeightType: true },
  3: { name: 'Q4_1', blockSize: 32, typeSize: 20, isWeightType: true },
  6: { name: 'Q5_0', blockSize: 32, typeSize: 22, isWeightType: true },
  7: { name: 'Q5_1', blockSize: 32, typeSize: 24, isWeightType: true },
  8: { name: 'Q8_0', blockSize: 32, typeSize: 34, isWeightType: true },
  9: { name: 'Q8_1', blockSize: 32, typeSize: 36, isWeightType: false },
  10: { name: 'Q2_K', blockSize: 256, typeSize: 84, isWeightType: true },
  11: { name: 'Q3_K', blockSize: 256, typeSize: 110, isWeightType: true },
  12: { name: 'Q4_K', blockSize: 256, typeSize: 144, isWeightType: true },
  13: { name: 'Q5_K', blockSize: 256, typeSize: 176, isWeightType: true },
  14: { name: 'Q6_K', blockSize: 256, typeSize: 210, isWeightType: true },
  15: { name: 'Q8_K', blockSize: 256, typeSize: 292, isWeightType: false },
  16: { name: 'IQ2_XXS', blockSize: 256, typeSize: 66, isWeightType: true },
  17: { name: 'IQ2_XS', blockSize: 256, typeSize: 74, isWeightType: true },
  18: { name: 'IQ3_XXS', blockSize: 256, typeSize: 98, isWeightType: true },
  19: { name: 'IQ1_S', blockSize: 256, typeSize: 50, isWeightType: true },
  20: { name: 'IQ4_NL', blockSize: 32, typeSize: 18, isWeightType: true },
  21: { name: 'IQ3_S', blockSize: 256, typeSize: 110, isWeightType: true },
  22: { name: 'IQ2_S', blockSize: 256, typeSize: 82, isWeightType: true },
  23: { name: 'IQ4_XS', blockSize: 256, typeSize: 136, isWeightType: true },
  24: { name: 'I8', blockSize: 1, typeSize: 1, isWeightType: false },
  25: { name: 'I16', blockSize: 1, typeSize: 2, isWeightType: false },
  26: { name: 'I32', blockSize: 1, typeSize: 4, isWeightType: false },
  27: { name: 'I64', blockSize: 1, typeSize: 8, isWeightType: false },
  28: { name: 'F64', blockSize: 1, typeSize: 8, isWeightType: false },
  29: { name: 'IQ1_M', blockSize: 256, typeSize: 56, isWeightType: true },
  30: { name: 'BF16', blockSize: 1, typeSize: 2, isWeightType: true },
  34: { name: 'TQ1_0', blockSize: 256, typeSize: 54, isWeightType: true },
  35: { name: 'TQ2_0', blockSize: 256, typeSize: 66, isWeightType: true },
  39: { name: 'MXFP4', blockSize: 32, typeSize: 17, isWeightType: true },
  40: { name: 'NVFP4', blockSize: 64, typeSize: 36, isWeightType: true },
  41: { name: 'Q1_0', blockSize: 128, typeSize: 18, isWeightType: true },
  42: { name: 'Q2_0', blockSize: 64, typeSize: 18, isWeightType: true },
};

/** The ggml type with this number, or undefined when llama.cpp does not know (or removed) it. */
export function getGgmlType(type: number): GgmlTypeInfo | undefined {
  return Object.hasOwn(table, type) ? table[type] : undefined;
}
