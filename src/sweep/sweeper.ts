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

/** What sweep.json records of a PBT segment: whose it is, what it trains and where its state and config came from. */
export interface PbtLineage {
  member: number;
  generation: number;
  /** The steps it trains: [start, end). */
  start: number;
  end: number;
  /** The member's previous segment (job number); null in generation 0. */
  parent: number | null;
  /** The segment whose checkpoint it starts from; null: from scratch. */
  restore: number | null;
  /** init: a first draw; continue: its own config and checkpoint; exploit: a top member's, explored. */
  by: 'init' | 'continue' | 'exploit';
  exploit?: {
    /** The member copied, its segment (job number) and the step of the checkpoint taken. */
    donor: number;
    donor_num: number;
    donor_step: number;
    /** The step at which the member was replaced. */
    step: number;
    score: number;
    donor_score: number;
    /** The member's config, the donor's, and the explored one it goes on with. */
    old: Record<string, string | number>;
    donor_params: Record<string, string | number>;
    new: Record<string, string | number>;
  };
  /** Why an expected step did not happen (no donor with a checkpoint). */
  note?: string;
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
