/** A finished job as sweepers see it: what it ran and how it scored. */
export interface JobOutcome {
  num: number;
  overrides: string[];
  status: 'completed' | 'failed' | 'interrupted' | 'pruned';
  objective: number | undefined;
}

/**
 * Proposes jobs. `ask` returns up to `max` next jobs (override lists) and gets every finished
 * outcome so far, so a model-based sweeper can choose from results; an empty answer ends the sweep.
 */
export interface Sweeper {
  readonly strategy: string;
  /** Jobs the sweep will run, when known in advance. */
  readonly total: number | undefined;
  /** The search space as recorded in sweep.json. */
  describe(): Record<string, unknown>;
  ask(max: number, finished: readonly JobOutcome[]): string[][];
}
