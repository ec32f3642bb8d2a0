import { resolve as resolvePath } from 'node:path';
import type { Interrupts } from '../job/interrupts.js';
import type { JobRunner } from '../job/job-runner.js';
import { prepareJob, type JobSource, type PreparedJob } from '../job/prepare.js';
import { captureSnapshots, runJob, type KindRecord, type RunSnapshots } from '../job/run-job.js';
import type { JobSpec, LaunchedJob, Launcher } from './launcher.js';

export interface InlineLauncherOptions {
  source: JobSource;
  /** Runs each job's body where it can be stopped: one job thread for the whole sweep. */
  runner: JobRunner;
  interrupts: Interrupts;
  sweepDir: string;
  now: Date;
  argv: readonly string[];
  entry: string | undefined;
  /** What run.json records about this kind of job (see RunJobOptions.record). */
  record?: KindRecord | undefined;
  print: (line: string) => void;
  /** Jobs already prepared (by the sweep's pre-check), by number: each is used once. */
  checked?: Map<number, PreparedJob> | undefined;
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Runs jobs one after another from this process, on one job thread: no start-up cost per job. */
export function inlineLauncher(options: InlineLauncherOptions): Launcher {
  // One process, one code version, one environment: capture them once for every job.
  let snapshots: RunSnapshots | undefined;
  return {
    name: 'inline',
    parallelism: 1,
    async launch(spec: JobSpec): Promise<LaunchedJob> {
      const checked = options.checked?.get(spec.num);
      options.checked?.delete(spec.num);
      const prepared =
        checked?.sweepSubdir !== undefined && !checked.readsOutputDir && checked.logFile === undefined
          ? { ...checked, runDir: resolvePath(options.sweepDir, checked.sweepSubdir) }
          : await prepareJob(options.source, spec.overrides, { num: spec.num, sweepDir: options.sweepDir }, options.now);
      snapshots ??= captureSnapshots({ env: options.source.env, cwd: options.source.cwd, argv: options.argv });
      const result = await runJob({
        snapshots,
        prepared,
        runner: options.runner,
        interrupts: options.interrupts,
        source: options.source,
        argv: options.argv,
        entry: options.entry,
        record: options.record,
        sweep: { dir: options.sweepDir, num: spec.num },
        print: options.print,
      });
      return {
        num: spec.num,
        overrides: spec.overrides,
        status: result.status === 'completed' ? 'completed' : result.status === 'interrupted' ? 'interrupted' : 'failed',
        dir: result.dir,
        returnValue: result.returnValue,
        error: result.error === undefined ? undefined : message(result.error),
      };
    },
    async cancel() {
      // The running job listens to the same interrupts and stops itself.
    },
    close: () => options.runner.close(),
  };
}
