/** One job of a sweep, as every launcher receives it: override strings to recompose from. */
export interface JobSpec {
  num: number;
  overrides: string[];
}

/** What a launcher reports when a job ends. */
export interface LaunchedJob {
  num: number;
  overrides: string[];
  status: 'completed' | 'failed' | 'interrupted';
  /** The job's run directory (absolute), when it got one. */
  dir: string | undefined;
  returnValue: unknown;
  /** One line saying why the job failed. */
  error: string | undefined;
}

/**
 * Runs jobs. Launchers get override strings and recompose, so a job composes the same in this
 * process, in a child process or on another machine.
 */
export interface Launcher {
  readonly name: string;
  /** How many jobs may run at once. */
  readonly parallelism: number;
  launch(job: JobSpec): Promise<LaunchedJob>;
  /** Stops every running job (Ctrl-C); each records itself as interrupted. */
  cancel(): Promise<void>;
}
