import { describe, expect, it } from 'vitest';
import { ADAPTER_SPEC_VERSION } from './adapter-spec-version.js';
import { adapterFromFunction, FUNCTION_ADAPTER_NAME } from './function-adapter.js';

describe('adapterFromFunction', () => {
  it('wraps a loader function as a single-file adapter named `function`', async () => {
    const load = async (path: string) => ({ path });
    const adapter = adapterFromFunction(load);
    expect(adapter).toEqual({
      name: 'function',
      specVersion: ADAPTER_SPEC_VERSION,
      kind: 'file',
      load,
    });
    expect(FUNCTION_ADAPTER_NAME).toBe('function');
  });
});
