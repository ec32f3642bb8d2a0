// Types only, with no imports: the UI's page (src/ui/client) reads them too.

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
