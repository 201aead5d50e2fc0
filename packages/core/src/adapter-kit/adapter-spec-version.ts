/**
 * Version of the adapter contract (`ModelAdapter`) this core implements. It grows by one with each
 * change an adapter must follow; an adapter sets `specVersion` to the version it was written for.
 */
export const ADAPTER_SPEC_VERSION = 2;
