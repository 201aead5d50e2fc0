/** Life-cycle state of one registered model. */
export type ModelState = 'pending' | 'validating' | 'loading' | 'loaded' | 'failed' | 'unloaded';

/** Allowed transitions; anything else is a bug in the engine. */
export const modelStateTransitions: Readonly<Record<ModelState, readonly ModelState[]>> = {
  pending: ['validating', 'unloaded'],
  validating: ['loading', 'failed', 'unloaded'],
  loading: ['loaded', 'failed', 'unloaded'],
  // loaded -> failed: the model's process died.
  loaded: ['unloaded', 'failed'],
  failed: ['validating', 'unloaded'],
  unloaded: ['validating'],
};

/** True when a model may move from `from` to `to`. */
export function canTransition(from: ModelState, to: ModelState): boolean {
  return modelStateTransitions[from].includes(to);
}
