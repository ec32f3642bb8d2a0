/**
 * A TPE search space. Values are held in their internal form: a number for floats and ints, the
 * index of the choice for categoricals (Optuna's to_internal_repr).
 */
export type Distribution =
  | { kind: 'float'; low: number; high: number; log: boolean }
  | { kind: 'int'; low: number; high: number; log: boolean; step: number }
  | { kind: 'categorical'; size: number };

export interface SpaceParam {
  name: string;
  dist: Distribution;
  /**
   * Present only under some options of a categorical (a key of `optimizer/sgd.yaml` that
   * `optimizer/adam.yaml` lacks): the parent's name and the choice indices it exists under.
   */
  condition?: { parent: string; options: readonly number[] };
}

export type Params = Record<string, number>;

/** True when `p` is present in a trial whose other values are `params`. */
export function isActive(p: SpaceParam, params: Readonly<Params>): boolean {
  if (!p.condition) return true;
  const parent = params[p.condition.parent];
  return parent !== undefined && p.condition.options.includes(parent);
}

/** Whether a value is a member of the distribution (in bounds, on the step grid, an index). */
export function contains(dist: Distribution, x: number): boolean {
  if (!Number.isFinite(x)) return false;
  if (dist.kind === 'categorical') return Number.isInteger(x) && x >= 0 && x < dist.size;
  if (x < dist.low || x > dist.high) return false;
  return dist.kind === 'float' || (Number.isInteger(x) && Number.isInteger((x - dist.low) / dist.step));
}
