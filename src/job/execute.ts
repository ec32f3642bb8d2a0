import { isTrellisError, type ErrorWhere } from '../errors/index.js';
import { bindJobConfig, provenanceLocator, registryOf } from '../instantiate/job-context.js';
import { logFilePath, recordPath, RUN_FILES } from '../records/names.js';
import type { InputRecord } from '../run/inputs.js';
import type { MetricSummary } from '../run/metrics.js';
import { redactText } from '../run/secrets.js';
import { SeedBook, type SeedRecord } from '../run/seeds.js';
import { createRunHandle, type ArtifactRecord, type Run, type SegmentToRun } from './run-handle.js';

export type JobFunction<C> = (cfg: C, run: Run) => unknown;

/** Everything a job thread needs to run one job; plain data, so it crosses threads. */
export interface JobTicket {
  /** The resolved (and validated) config the job receives. */
  config: unknown;
  dir: string;
  id: string;
  jobName: string;
  masterSeed: number;
  cwd: string;
  /** Values never to print or record in clear (secrets the config read, secret env vars). */
  secrets: string[];
  /** The job's log file when the config names one (Hydra's job_logging file handler); else <dir>/<jobName>.log. */
  logFile?: string | undefined;
  /**
   * At most this long between a metric's log call and its line on disk (default 1 s). A job of a
   * sweep writes sooner: a pruner reads its lines while it runs.
   */
  metricsFlushSeconds?: number;
  /** PBT: the segment the job trains and the run directory (absolute) it restores from. */
  segment?: SegmentToRun | undefined;
}

/** What the job recorded besides metrics; sent to the supervisor each time it changes. */
export interface JobState {
  tags: string[];
  notes: string[];
  artifacts: ArtifactRecord[];
  inputs: InputRecord[];
  seeds: SeedRecord;
}

/** An error as the records keep it (and as it crosses threads). */
export interface ErrorRecord {
  type: string;
  message: string;
  stack: string | null;
  code?: string;
  /** A TrellisError's place, key and hint, so the report after the run still shows them. */
  where?: ErrorWhere;
  keyPath?: string;
  hint?: string;
}

export type JobEnd =
  | { status: 'completed'; returnValue: unknown; summary: Record<string, MetricSummary> }
  | { status: 'failed'; error: ErrorRecord; summary: Record<string, MetricSummary> };

/** Thrown from `run.log()` once a stop was asked for, to unwind the job (see JobReporter.stopNow). */
export class JobStopped extends Error {
  override name = 'JobStopped';
  constructor() {
    super('the run was asked to stop');
  }
}

/** How a running job talks to its supervisor. */
export interface JobReporter {
  log(line: string): void;
  state(state: JobState): void;
  stopRequested(): boolean;
  /** Ends the job at once (metrics already flushed); never returns. */
  stopNow(): never;
}

export function errorRecord(error: unknown): ErrorRecord {
  if (isTrellisError(error))
    return {
      type: 'TrellisError',
      code: error.code,
      message: error.message,
      stack: error.stack ?? null,
      ...(error.where ? { where: error.where } : {}),
      ...(error.keyPath ? { keyPath: error.keyPath } : {}),
      ...(error.hint ? { hint: error.hint } : {}),
    };
  if (error instanceof Error) return { type: error.name, message: error.message, stack: error.stack ?? null };
  return { type: typeof error, message: String(error), stack: null };
}

/** The job's return value as JSON keeps it (bigints as strings; what JSON cannot hold as text). */
function plainResult(value: unknown): unknown {
  try {
    return value === undefined ? null : JSON.parse(JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)));
  } catch {
    return String(value);
  }
}

/**
 * Runs one job function with its `Run` handle. This is the only place user code is called, and
 * it runs on the job's thread: the supervisor's thread stays free to answer signals and beat.
 */
export async function executeJob(job: JobFunction<unknown>, ticket: JobTicket, reporter: JobReporter): Promise<JobEnd> {
  const seeds = new SeedBook(ticket.masterSeed);
  const redact = (text: string) => redactText(text, ticket.secrets);
  let reportState = () => undefined as void;
  const { run, state } = createRunHandle({
    dir: ticket.dir,
    id: ticket.id,
    jobName: ticket.jobName,
    seeds,
    metricsPath: recordPath(ticket.dir, RUN_FILES.metrics),
    metricsFlushSeconds: ticket.metricsFlushSeconds,
    logPath: ticket.logFile ?? logFilePath(ticket.dir, ticket.jobName),
    cwd: ticket.cwd,
    print: reporter.log,
    redact,
    changed: () => reportState(),
    stopRequested: reporter.stopRequested,
    segment: ticket.segment,
    stopNow: () => {
      state.logFile.close();
      state.metrics.close();
      return reporter.stopNow();
    },
  });
  reportState = () =>
    reporter.state({ tags: [...state.tags], notes: [...state.notes], artifacts: [...state.artifacts], inputs: state.inputs.toJSON(), seeds: seeds.toJSON() });
  // An awaiting job's buffered metrics still reach the file within a second (tail -f, crashes).
  const flusher = setInterval(() => state.metrics.flush(), (ticket.metricsFlushSeconds ?? 1) * 1000);
  flusher.unref();
  // instantiate(cfg.model) then finds the app's registry and where each _target_ was set.
  const where = provenanceLocator(recordPath(ticket.dir, RUN_FILES.provenance), ticket.cwd);
  bindJobConfig(ticket.config, { root: ticket.cwd, registry: registryOf(job), where });
  try {
    const returnValue = await job(ticket.config, run);
    state.metrics.close();
    reportState();
    return { status: 'completed', returnValue: plainResult(returnValue), summary: state.metrics.summary() };
  } catch (error) {
    // An error raised by a stop is the stop, not the job's failure.
    if (!reporter.stopRequested()) run.logger.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    state.metrics.close();
    reportState();
    const record = errorRecord(error);
    return {
      status: 'failed',
      error: { ...record, message: redact(record.message), stack: record.stack === null ? null : redact(record.stack) },
      summary: state.metrics.summary(),
    };
  } finally {
    clearInterval(flusher);
    state.logFile.close();
  }
}
