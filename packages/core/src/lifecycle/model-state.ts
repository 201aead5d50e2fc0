/**
 * Life-cycle state of one registered model. `idle`: validated and verified but not in memory (an
 * on-demand model before its first use, or a model unloaded by keep-alive or eviction); the next
 * `use` loads it, so it counts as ready.
 */
export type ModelState =
  | 'pending'
  | 'validating'
  | 'idle'
  | 'loading'
  | 'loaded'
  | 'failed'
  | 'unloaded';

/** Allowed transitions; anything else is a bug in the engine. */
export const modelStateTransitions: Readonly<Record<ModelState, readonly ModelState[]>> = {
  pending: ['validating', 'unloaded'],
  // validating -> idle: an on-demand model was checked at start and waits for its first use.
  validating: ['loading', 'idle', 'failed', 'unloaded'],
  idle: ['validating', 'unloaded'],
  loading: ['loaded', 'failed', 'unloaded'],
  // loaded -> failed: the model's process died.
  // loaded -> idle: keep-alive ran out or the memory budget evicted the model.
  loaded: ['unloaded', 'failed', 'idle'],
  failed: ['validating', 'unloaded'],
  unloaded: ['validating'],
};

/** True when a model may move from `from` to `to`. */
export function canTransition(from: ModelState, to: ModelState): boolean {
  return modelStateTransitions[from].includes(to);
}
