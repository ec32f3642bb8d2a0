import type { PbtLineage } from './lineage.js';

/** A finished job as sweepers see it: what it ran and how it scored. */
export interface JobOutcome {
  num: number;
  overrides: string[];
  status: 'completed' | 'pruned' | 'failed' | 'interrupted';
  /** completed: the objective; pruned: the last intermediate value. */
  objective: number | undefined;
  /** pruned: the step it stopped at (TPE ranks pruned trials by how far they got). */
  step?: number | undefined;
  /** Its run directory, relative to the sweep's working directory (PBT restores from it). */
  dir?: string | undefined;
  /** The checkpoint it left (PBT copies only a member that has one). */
  checkpoint?: { step: number } | undefined;
}

/** A model-based sweeper's account of one proposal. */
export interface TrialRecord {
  /** key → value */
  params: Record<string, string | number>;
  /** How it was chosen (a random startup draw or the model) and from how many finished and running trials. */
  sampler: { by: string; finished: number; running: number };
  /** PBT: the segment's lineage. */
  pbt?: PbtLineage;
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
  /**
   * Model-based sweepers are asked again whenever a slot frees, with every outcome so far;
   * others plan every job up front.
   */
  readonly adaptive?: boolean;
  /** What sweep.json records with a proposed job: its parameters, and what the sampler knew when it proposed them. */
  trialOf?(overrides: readonly string[]): TrialRecord | undefined;
}
