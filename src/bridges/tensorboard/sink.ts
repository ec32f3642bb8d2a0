import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { redactText } from '../../run/secrets.js';
import { EventEncoder } from './event-encoder.js';
import { configHParams, sessionEndValue, sessionStartValue, type HParamValue, type SessionStatus } from './hparams.js';

/** Where a run's live TensorBoard files go, inside its run directory. */
export const TB_DIR = 'tb';

export interface SinkOptions {
  /** The config the job got; its values become the run's hparams. */
  config: unknown;
  /** Values never to write in clear (secrets the config read). */
  secrets: readonly string[];
  /** Seconds since the epoch; injected by tests. */
  clock?: () => number;
  /** Buffered bytes (about) that trigger a write; default 64 KiB. */
  flushBytes?: number;
}

let fileCount = 0;

/**
 * A run's TensorBoard event file, written as the run logs (`trellis.tensorboard: true` or
 * `--tensorboard`): `<run dir>/tb/events.out.tfevents.<secs>.<host>.<pid>.<n>`, the name
 * TensorFlow's writers use. It starts with the HParams session start (the config), gets one
 * event per `run.log` call, and ends with the session end. Like metrics.jsonl, events are
 * buffered and appended with `writeSync` on `flush()`, past `flushBytes`, and on `close()`.
 */
export class TensorBoardSink {
  readonly path: string;
  private fd: number | undefined;
  private readonly encoder = new EventEncoder();
  private nextStep = 0;
  private readonly clock: () => number;
  private readonly flushBytes: number;

  constructor(runDir: string, options: SinkOptions) {
    this.clock = options.clock ?? (() => Date.now() / 1000);
    this.flushBytes = options.flushBytes ?? 64 * 1024;
    const start = this.clock();
    const dir = join(runDir, TB_DIR);
    mkdirSync(dir, { recursive: true });
    this.path = join(dir, `events.out.tfevents.${String(Math.floor(start)).padStart(10, '0')}.${hostname()}.${process.pid}.${fileCount++}`);
    this.fd = openSync(this.path, 'a');
    const hparams = configHParams(options.config);
    if (options.secrets.length) for (const key of Object.keys(hparams)) hparams[key] = redacted(hparams[key]!, options.secrets);
    this.encoder.fileVersion(start).event({ wallTime: start, step: 0, summary: [sessionStartValue(hparams, start)] });
    this.flush();
  }

  /** The numbers of one `run.log` call, at `step` or the step after the last one (0 first), as metrics.jsonl counts. */
  log(values: Readonly<Record<string, unknown>>, step?: number): void {
    if (this.fd === undefined) return;
    const at = step ?? this.nextStep;
    this.nextStep = at + 1;
    this.encoder.scalars(values, at, this.clock());
    if (this.encoder.length >= this.flushBytes) this.flush();
  }

  flush(): void {
    if (this.fd === undefined || this.encoder.length === 0) return;
    const bytes = this.encoder.take();
    for (let offset = 0; offset < bytes.length;) offset += writeSync(this.fd, bytes, offset);
  }

  /** Writes the session end with the run's outcome and closes the file; closing twice is harmless. */
  close(status: SessionStatus): void {
    if (this.fd === undefined) return;
    const end = this.clock();
    this.encoder.event({ wallTime: end, step: 0, summary: [sessionEndValue(status, end)] });
    try {
      this.flush();
    } finally {
      closeSync(this.fd);
      this.fd = undefined;
    }
  }
}

function redacted(value: HParamValue, secrets: readonly string[]): HParamValue {
  return typeof value === 'string' ? redactText(value, secrets) : value;
}
