import { closeSync, fstatSync, mkdirSync, openSync, readSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { LineSorter } from '../../run/metrics.js';
import { redactText } from '../../run/secrets.js';
import { EventEncoder } from './event-encoder.js';
import { configHParams, sessionEndValue, sessionStartValue, type SessionStatus } from './hparams.js';

/** Where a run's live TensorBoard files go, inside its run directory. */
const TB_DIR = 'tb';

export interface SinkOptions {
  /** The run's metrics.jsonl, which the sink follows. */
  metricsPath: string;
  /** The config the job got; its values become the run's hparams. */
  config: unknown;
  /** Values never to write in clear (secrets the config read). */
  secrets: readonly string[];
  /** Seconds since the epoch; injected by tests. */
  clock?: () => number;
}

const CHUNK_BYTES = 1 << 20;
let fileCount = 0;

/**
 * A run's TensorBoard event file (`trellis.tensorboard: true` or `--tensorboard`):
 * `<run dir>/tb/events.out.tfevents.<secs>.<host>.<pid>.<n>`, the name TensorFlow's writers use.
 * It follows metrics.jsonl from the supervisor's side: `poll()` turns the lines appended since
 * the last poll into events (one per line), so `run.log` on the job's thread costs nothing more,
 * and metrics of every kind of job (Node functions, programs printing @trellis lines) get there.
 * The file starts with the HParams session start (the config) and `close()` ends it with the
 * run's outcome.
 */
export class TensorBoardSink {
  readonly path: string;
  private fd: number | undefined;
  private metricsFd: number | undefined;
  private offset = 0;
  private rest = '';
  private readonly decoder = new StringDecoder('utf8');
  private readonly lines = new LineSorter();
  private readonly encoder = new EventEncoder({ skip: ['step', 'time'] });
  private time: number;
  private readonly clock: () => number;
  private readonly metricsPath: string;

  constructor(runDir: string, options: SinkOptions) {
    this.clock = options.clock ?? (() => Date.now() / 1000);
    this.metricsPath = options.metricsPath;
    const start = this.clock();
    this.time = start;
    const dir = join(runDir, TB_DIR);
    mkdirSync(dir, { recursive: true });
    this.path = join(dir, `events.out.tfevents.${String(Math.floor(start)).padStart(10, '0')}.${hostname()}.${process.pid}.${fileCount++}`);
    this.fd = openSync(this.path, 'a');
    const hparams = configHParams(options.config);
    for (const key of Object.keys(hparams)) {
      const value = hparams[key]!;
      if (typeof value === 'string' && options.secrets.length) hparams[key] = redactText(value, options.secrets);
    }
    this.encoder.fileVersion(start).event({ wallTime: start, step: 0, summary: [sessionStartValue(hparams, start)] });
    this.write();
  }

  /** Converts the whole lines appended to metrics.jsonl since the last poll. */
  poll(): void {
    if (this.fd === undefined) return;
    if (this.metricsFd === undefined) {
      try {
        this.metricsFd = openSync(this.metricsPath, 'r');
      } catch {
        return; // not created yet
      }
    }
    const size = fstatSync(this.metricsFd).size;
    const buffer = Buffer.allocUnsafe(Math.min(CHUNK_BYTES, Math.max(0, size - this.offset)));
    while (this.offset < size) {
      const n = readSync(this.metricsFd, buffer, 0, Math.min(buffer.length, size - this.offset), this.offset);
      if (n <= 0) break;
      this.offset += n;
      const parts = (this.rest + this.decoder.write(buffer.subarray(0, n))).split('\n');
      this.rest = parts.pop()!;
      for (const text of parts) {
        const row = this.lines.take(text);
        if (!row) continue;
        // A row without a time (a program's line) is placed at the previous row's.
        if (row.time !== undefined) this.time = row.time;
        this.encoder.scalars(row, row.step, this.time);
      }
      this.write();
    }
  }

  private write(): void {
    if (this.fd === undefined || this.encoder.length === 0) return;
    const bytes = this.encoder.take();
    for (let offset = 0; offset < bytes.length;) offset += writeSync(this.fd, bytes, offset);
  }

  /** Converts what is left, writes the session end with the run's outcome and closes; closing twice is harmless. */
  close(status: SessionStatus): void {
    if (this.fd === undefined) return;
    try {
      this.poll();
      const end = this.clock();
      this.encoder.event({ wallTime: end, step: 0, summary: [sessionEndValue(status, end)] });
      this.write();
    } finally {
      closeSync(this.fd);
      this.fd = undefined;
      if (this.metricsFd !== undefined) closeSync(this.metricsFd);
      this.metricsFd = undefined;
    }
  }
}
