import { createWriteStream, type WriteStream } from 'node:fs';
import type { Readable, Writable } from 'node:stream';
import { TrellisError } from '../errors/index.js';
import type { MetricsLog, MetricValue } from '../run/metrics.js';

/** A stdout line starting with this is a metrics line: `@trellis {"step": 3, "loss": 0.2}`. */
export const METRIC_LINE_PREFIX = '@trellis ';

export interface CommandOutputOptions {
  /** The child's pipes. */
  stdout: Readable;
  stderr: Readable;
  /**
   * Metrics lines go here, as `metrics.log(values, { step })` would write them (the time is when
   * the line was read); flushed, not closed, at the end.
   */
  metrics: MetricsLog;
  /** The run's log file, appended to: every line of both streams but the metrics lines, whole, as they complete. */
  logPath: string;
  /**
   * 'inherit': bytes go to the console streams as they arrive, so `\r` progress bars show live;
   * a function: whole lines, without their `\n` (a launcher that prefixes lines); a line over
   * 1 MiB comes in 1 MiB pieces.
   */
  console: 'inherit' | ((line: string, stream: 'stdout' | 'stderr') => void);
  /** Where 'inherit' writes; default process.stdout and process.stderr. */
  consoleStreams?: { stdout: Writable; stderr: Writable };
  /** Told about a bad metrics line, which is kept as output (the first 10, then one count at the end). */
  warn: (line: string) => void;
  /** How many of the last stderr lines `stderrTail()` keeps; default 20. */
  stderrTailLines?: number;
  /** Applied to the metric names and string values written to metrics.jsonl (a record: secrets stay out); none by default. */
  redact?: ((text: string) => string) | undefined;
}

interface CommandOutputCounts {
  /** Metrics lines logged. */
  metricLines: number;
  /** Lines that started with the prefix but were not metrics lines; they are among `lines`. */
  badMetricLines: number;
  /** Lines written to the log file (both streams). */
  lines: number;
}

export interface CommandOutput {
  /**
   * Resolves once both streams ended and every byte reached the console and the log file, which
   * is then closed. Rejects with RUN_IO (the errno error as its cause) when the log or metrics
   * file could not be written: only after the streams were read to the end, so the console still
   * got everything and the child was never blocked. Always await it (or catch it).
   */
  done: Promise<void>;
  /** The last stderr lines as a terminal shows them: a line rewritten with `\r` shows its last part. */
  stderrTail(): string[];
  counts(): CommandOutputCounts;
}

const PREFIX = Buffer.from(METRIC_LINE_PREFIX, 'latin1');
const PREFIX_LENGTH = PREFIX.length;
const AT = 0x40;
const NL = 0x0a;
/** A line held in memory (for the log, or a metrics line being read) is passed on when it gets this long. */
const MAX_LINE_BYTES = 1 << 20;
/** The log stream's buffer: larger than a pipe read, so the child is paused rarely. */
const LOG_HIGH_WATER_MARK = 256 * 1024;
const SHOWN_WARNINGS = 10;
const HINT = `A metrics line is '${METRIC_LINE_PREFIX}' and a JSON object of numbers, strings and booleans with an optional "step" (a non-negative integer), e.g. ${METRIC_LINE_PREFIX}{"step": 3, "loss": 0.2}`;
const NO_STEP: { step?: number } = {};

type StreamName = 'stdout' | 'stderr';

/** Where stdout is in its current line. */
const enum Line {
  /** At a line start, or `matched` bytes into one that so far reads as the prefix (held back). */
  Start,
  /** An ordinary line. */
  Plain,
  /** A metrics line, its text after the prefix collected in `metricPieces`. */
  Metric,
}

/**
 * Relays a child process's stdout and stderr to the console and the run's log file, and takes
 * the metrics lines out of stdout into `metrics`. See `CommandOutputOptions` and `CommandOutput`.
 *
 * The log gets whole lines, each stream line-buffered on its own, in the order they complete; a
 * partial last line gets a `\n` so the other stream's lines cannot run on after it. Only a line
 * longer than 1 MiB is written in pieces as it comes (memory stays bounded), and then the other
 * stream's lines may land inside it. When the log or a console stream cannot take more, both
 * pipes pause until it drains, so the child waits instead of memory growing.
 */
export function relayCommandOutput(options: CommandOutputOptions): CommandOutput {
  const relay = new OutputRelay(options);
  return { done: relay.done, stderrTail: () => relay.stderrTail(), counts: () => relay.counts() };
}

class OutputRelay {
  readonly done: Promise<void>;
  private readonly metrics: MetricsLog;
  private readonly redact: ((text: string) => string) | undefined;
  private readonly warn: (line: string) => void;
  private readonly lineConsole: ((line: string, stream: StreamName) => void) | undefined;
  /** Console streams in 'inherit' mode; null after they fail (EPIPE), so the log still gets everything. */
  private out: Writable | null = null;
  private err: Writable | null = null;
  private log: WriteStream | null;
  private failure: TrellisError | undefined;
  private readonly sources: Readable[];
  private readonly waiting = new Set<Writable>();
  private readonly cleanups: Array<() => void> = [];
  /** What the chunk being read gives the console streams and the log. */
  private readonly toOut: Buffer[] = [];
  private readonly toErr: Buffer[] = [];
  private readonly toLog: Buffer[] = [];

  // stdout's line state
  private state = Line.Start;
  private matched = 0;
  private metricPieces: Buffer[] = [];
  private metricBytes = 0;
  private stdoutLine = 0;
  /** Per stream: the start of its current line, not yet in the log. */
  private readonly pending = { stdout: [] as Buffer[], stderr: [] as Buffer[] };
  private readonly pendingBytes = { stdout: 0, stderr: 0 };

  private readonly tail: Buffer[] = [];
  private tailBytes = 0;
  private tailTrimmed = false;
  private readonly tailLines: number;
  private readonly tailCap: number;

  private metricLines = 0;
  private badMetricLines = 0;
  private lines = 0;
  private readonly stepOption = { step: 0 };

  constructor(options: CommandOutputOptions) {
    this.metrics = options.metrics;
    this.redact = options.redact;
    this.warn = options.warn;
    this.tailLines = options.stderrTailLines ?? 20;
    this.tailCap = Math.max(64 * 1024, this.tailLines * 1024);
    if (options.console === 'inherit') {
      const streams = options.consoleStreams ?? { stdout: process.stdout, stderr: process.stderr };
      this.out = this.watchConsole(streams.stdout, 'out');
      this.err = this.watchConsole(streams.stderr, 'err');
    } else {
      this.lineConsole = options.console;
    }
    const log = createWriteStream(options.logPath, { flags: 'a', highWaterMark: LOG_HIGH_WATER_MARK });
    log.on('error', (e) => {
      this.fail(e, `Cannot write the log file ${options.logPath}`);
      this.log = null;
      this.drained(log);
    });
    this.log = log;
    this.sources = [options.stdout, options.stderr];
    const stdoutEnd = this.read(
      options.stdout,
      (chunk) => this.onStdout(chunk),
      () => this.endStdout(),
    );
    const stderrEnd = this.read(
      options.stderr,
      (chunk) => this.onStderr(chunk),
      () => this.endStderr(),
    );
    this.done = Promise.all([stdoutEnd, stderrEnd]).then(() => this.finish(log));
  }

  counts(): CommandOutputCounts {
    return { metricLines: this.metricLines, badMetricLines: this.badMetricLines, lines: this.lines };
  }

  stderrTail(): string[] {
    const lines = Buffer.concat(this.tail).toString('utf8').split('\n');
    if (this.tailTrimmed && lines.length > 1) lines.shift(); // cut at its start
    if (lines.at(-1) === '') lines.pop();
    return lines.slice(-this.tailLines).map((line) => {
      const text = line.endsWith('\r') ? line.slice(0, -1) : line;
      return text.slice(text.lastIndexOf('\r') + 1);
    });
  }

  // ------------------------------------------------------------------ reading

  private read(source: Readable, onData: (chunk: Buffer) => void, onEnd: () => void): Promise<void> {
    return new Promise((resolve) => {
      let ended = false;
      const end = () => {
        if (ended) return;
        ended = true;
        try {
          onEnd();
          this.flush();
        } finally {
          resolve();
        }
      };
      source.on('data', (chunk: Buffer | string) => {
        onData(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
        this.flush();
      });
      source.once('end', end);
      // A destroyed pipe ends without 'end'; its error is the child's business, not the output's.
      source.once('close', end);
      source.on('error', () => {});
      if (source.readableEnded) end();
    });
  }

  private onStdout(chunk: Buffer): void {
    const len = chunk.length;
    let pos = 0; // the next byte to look at
    let run = 0; // bytes from here to pos are ordinary output not yet passed on
    let lineStart = 0; // the start of the line pos is in
    let complete = 0; // newlines between run and lineStart
    if (this.state === Line.Start && this.matched > 0) {
      // A line start held back from the last chunk: does it go on as the prefix?
      let k = this.matched;
      let i = 0;
      while (k < PREFIX_LENGTH && i < len && chunk[i] === PREFIX[k]) (k++, i++);
      if (k === PREFIX_LENGTH) {
        this.matched = 0;
        this.state = Line.Metric;
        pos = run = lineStart = i;
      } else if (i === len) {
        this.matched = k;
        return;
      } else {
        this.releaseHeld();
        this.state = Line.Plain;
      }
    }
    while (pos < len) {
      if (this.state === Line.Plain) {
        const nl = chunk.indexOf(NL, pos);
        if (nl === -1) break;
        pos = lineStart = nl + 1;
        complete++;
        this.stdoutLine++;
        this.state = Line.Start;
      } else if (this.state === Line.Metric) {
        const nl = chunk.indexOf(NL, pos);
        if (nl === -1) {
          this.collectMetric(chunk.subarray(pos));
          pos = run = lineStart = len;
          break;
        }
        this.stdoutLine++;
        this.endMetricLine(chunk.subarray(pos, nl + 1));
        pos = run = lineStart = nl + 1;
        this.state = Line.Start;
      } else if (chunk[pos] !== AT) {
        this.state = Line.Plain;
      } else {
        let k = 0;
        let i = pos;
        while (k < PREFIX_LENGTH && i < len && chunk[i] === PREFIX[k]) (k++, i++);
        if (k < PREFIX_LENGTH && i < len) {
          this.state = Line.Plain;
          continue;
        }
        // A metrics line, or the chunk ends inside what may become one: what came before goes on.
        this.passWhole('stdout', chunk, run, pos, complete);
        complete = 0;
        pos = run = lineStart = i;
        if (k === PREFIX_LENGTH) this.state = Line.Metric;
        else this.matched = k;
      }
    }
    if (run < len) {
      this.toOut.push(chunk.subarray(run));
      if (lineStart > run) this.passWhole('stdout', chunk, run, lineStart, complete, false);
      if (lineStart < len) this.hold('stdout', chunk.subarray(Math.max(run, lineStart)));
    }
  }

  private onStderr(chunk: Buffer): void {
    this.keepTail(chunk);
    this.toErr.push(chunk);
    const last = chunk.lastIndexOf(NL);
    if (last !== -1) this.passWhole('stderr', chunk, 0, last + 1, countLines(chunk, last + 1), false);
    if (last + 1 < chunk.length) this.hold('stderr', chunk.subarray(last + 1));
  }

  private endStdout(): void {
    if (this.state === Line.Metric) {
      this.stdoutLine++;
      this.endMetricLine(Buffer.alloc(0));
    } else if (this.state === Line.Start && this.matched > 0) {
      this.releaseHeld();
    }
    this.state = Line.Start;
    this.endPartial('stdout');
  }

  private endStderr(): void {
    this.endPartial('stderr');
  }

  // ------------------------------------------------------------------ metrics lines

  private collectMetric(piece: Buffer): void {
    this.metricPieces.push(piece);
    this.metricBytes += piece.length;
    if (this.metricBytes <= MAX_LINE_BYTES) return;
    // Too long to be a metrics line: it is output, kept and passed on from here.
    this.badLine(`longer than ${MAX_LINE_BYTES} bytes`, this.stdoutLine + 1);
    const line = Buffer.concat([PREFIX, ...this.metricPieces]);
    this.metricPieces = [];
    this.metricBytes = 0;
    this.toOut.push(line);
    this.hold('stdout', line);
    this.state = Line.Plain;
  }

  /** `last` ends the line (with its `\n`, or none at the end of output). */
  private endMetricLine(last: Buffer): void {
    const raw = this.metricPieces.length === 0 ? last : Buffer.concat([...this.metricPieces, last], this.metricBytes + last.length);
    this.metricPieces = [];
    this.metricBytes = 0;
    const problem = this.logMetric(raw.toString('utf8').replace(/\r?\n$/, ''));
    if (problem === undefined) {
      this.metricLines++;
      return;
    }
    this.badLine(problem, this.stdoutLine);
    const line = Buffer.concat([PREFIX, raw]);
    this.toOut.push(line);
    if (line[line.length - 1] === NL) this.passWhole('stdout', line, 0, line.length, 1, false);
    else this.hold('stdout', line);
  }

  /** Logs the text after the prefix; returns what is wrong with it instead, if anything. */
  private logMetric(text: string): string | undefined {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (e) {
      return `not JSON (${(e as Error).message})`;
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return `not a JSON object`;
    const values = parsed as Record<string, unknown>;
    let step: number | undefined;
    let members = 0;
    for (const name in values) {
      const value = values[name];
      if (name === 'step') {
        if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0)
          return `"step" must be a non-negative integer, got ${JSON.stringify(value)}`;
        step = value;
      } else if (name === 'time') {
        return `"time" is written by trellis itself and cannot be a metric name (rename it, e.g. "train_time")`;
      } else if (typeof value === 'number' || typeof value === 'boolean') {
        members++;
      } else if (typeof value === 'string') {
        members++;
        // As the reader does, so the summary counts them (an own property: "__proto__" is safe here).
        if (value === 'NaN') values[name] = Number.NaN;
        else if (value === 'Infinity') values[name] = Number.POSITIVE_INFINITY;
        else if (value === '-Infinity') values[name] = Number.NEGATIVE_INFINITY;
      } else {
        return `metric ${JSON.stringify(name)} must be a number, string or boolean, got ${value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value}`;
      }
    }
    let options = NO_STEP;
    if (step !== undefined) {
      this.stepOption.step = step;
      options = this.stepOption;
    }
    try {
      const encoded = members === 0 ? '' : step === undefined ? membersText(text) : membersAfterStep(text);
      // With secrets to hide, the values are written again, redacted, instead of the line's own text.
      if (this.redact) this.metrics.log(redactedValues(withoutStep(values), this.redact), options);
      else if (encoded !== undefined) this.metrics.logEncoded(values, encoded, options);
      else this.metrics.log(withoutStep(values), options);
    } catch (e) {
      if (!(e instanceof TrellisError && e.code === 'METRIC_INVALID')) this.fail(e, `Cannot write the metrics file ${this.metrics.path}`);
      return (e as Error).message;
    }
    return undefined;
  }

  private badLine(problem: string, lineNo: number): void {
    this.badMetricLines++;
    if (this.badMetricLines > SHOWN_WARNINGS) return;
    const hint = this.badMetricLines === 1 ? ` ${HINT}` : '';
    this.warn(`stdout line ${lineNo} starts with '${METRIC_LINE_PREFIX}' but is not a metrics line: ${problem}; it was kept as output.${hint}`);
  }

  // ------------------------------------------------------------------ ordinary lines

  /** The bytes of a stdout line start held back, which turned out to be ordinary output. */
  private releaseHeld(): void {
    const held = PREFIX.subarray(0, this.matched);
    this.matched = 0;
    this.toOut.push(held);
    this.hold('stdout', held);
  }

  /**
   * Passes on `chunk[from, to)`, `lines` whole lines after the stream's held line start: to the
   * log, to a line console, and (unless `toConsole` is false: already written) to the console.
   */
  private passWhole(stream: StreamName, chunk: Buffer, from: number, to: number, lines: number, toConsole = true): void {
    if (to <= from) return;
    this.lines += lines;
    const pending = this.pending[stream];
    const bytes = chunk.subarray(from, to);
    if (toConsole && stream === 'stdout') this.toOut.push(bytes);
    for (const piece of pending) this.toLog.push(piece);
    this.toLog.push(bytes);
    if (this.lineConsole) {
      let start = 0;
      if (pending.length > 0) {
        const nl = bytes.indexOf(NL);
        this.lineConsole(Buffer.concat([...pending, bytes.subarray(0, nl)]).toString('utf8'), stream);
        start = nl + 1;
      }
      for (let nl; (nl = bytes.indexOf(NL, start)) !== -1; start = nl + 1) this.lineConsole(bytes.toString('utf8', start, nl), stream);
    }
    if (pending.length > 0) {
      this.pending[stream] = [];
      this.pendingBytes[stream] = 0;
    }
  }

  /** Keeps the start of a line until it ends; a line too long to keep is passed on in pieces. */
  private hold(stream: StreamName, bytes: Buffer): void {
    this.pending[stream].push(bytes);
    this.pendingBytes[stream] += bytes.length;
    if (this.pendingBytes[stream] <= MAX_LINE_BYTES) return;
    const text = Buffer.concat(this.pending[stream]);
    const cut = utf8Boundary(text);
    this.pending[stream] = cut < text.length ? [text.subarray(cut)] : [];
    this.pendingBytes[stream] = text.length - cut;
    this.toLog.push(text.subarray(0, cut));
    this.lineConsole?.(text.toString('utf8', 0, cut), stream);
  }

  /** A stream ended: its partial last line goes on, with a `\n` in the log. */
  private endPartial(stream: StreamName): void {
    if (this.pending[stream].length === 0) return;
    const last = Buffer.concat([...this.pending[stream], Buffer.from('\n')]);
    this.pending[stream] = [];
    this.pendingBytes[stream] = 0;
    this.passWhole(stream, last, 0, last.length, 1, false);
  }

  private keepTail(chunk: Buffer): void {
    this.tail.push(chunk);
    this.tailBytes += chunk.length;
    while (this.tail.length > 1 && this.tailBytes - this.tail[0]!.length >= this.tailCap) {
      this.tailBytes -= this.tail.shift()!.length;
      this.tailTrimmed = true;
    }
  }

  // ------------------------------------------------------------------ writing, backpressure, the end

  /** Writes what one chunk gave each destination in one piece: a write per line would cost more than the rest. */
  private flush(): void {
    if (this.toOut.length > 0) this.write(this.out, this.toOut);
    if (this.toErr.length > 0) this.write(this.err, this.toErr);
    if (this.toLog.length > 0) this.write(this.log, this.toLog);
  }

  private write(dest: Writable | null, parts: Buffer[]): void {
    const bytes = dest === null ? undefined : parts.length === 1 ? parts[0]! : Buffer.concat(parts);
    parts.length = 0;
    if (dest === null || bytes === undefined) return;
    if (dest.write(bytes) || this.waiting.has(dest)) return;
    this.waiting.add(dest);
    for (const source of this.sources) source.pause();
    dest.once('drain', () => this.drained(dest));
  }

  private drained(dest: Writable): void {
    if (!this.waiting.delete(dest) || this.waiting.size > 0) return;
    for (const source of this.sources) source.resume();
  }

  private watchConsole(stream: Writable, which: 'out' | 'err'): Writable {
    // A closed console (EPIPE from `| head`) must not stop the log, nor leave the child paused.
    const onError = () => {
      this[which] = null;
      this.drained(stream);
    };
    stream.on('error', onError);
    this.cleanups.push(() => stream.off('error', onError));
    return stream;
  }

  private fail(cause: unknown, what: string): void {
    if (this.failure) return;
    // MetricsLog wraps its errno error in a RUN_IO of its own.
    const errno = cause instanceof TrellisError ? cause.cause : cause;
    const code = (errno as NodeJS.ErrnoException | undefined)?.code ?? 'error';
    this.failure = new TrellisError('RUN_IO', `${what} (${code}); the console got all of the output`, { cause: errno });
  }

  private async finish(log: WriteStream): Promise<void> {
    try {
      this.metrics.flush();
    } catch (e) {
      this.fail(e, `Cannot write the metrics file ${this.metrics.path}`);
    }
    const unshown = this.badMetricLines - SHOWN_WARNINGS;
    if (unshown > 0)
      this.warn(`${unshown} more stdout lines started with '${METRIC_LINE_PREFIX}' but were not metrics lines (not shown); they were kept as output.`);
    if (!log.closed) {
      await new Promise<void>((resolve) => {
        log.once('close', resolve);
        log.end();
      });
    }
    await Promise.all([this.out, this.err].map((stream) => stream && drainedOrGone(stream)));
    for (const cleanup of this.cleanups) cleanup();
    if (this.failure) throw this.failure;
  }
}

/** The text between the braces of a JSON object's text, when it starts with its brace. */
function membersText(text: string): string | undefined {
  return text.charCodeAt(0) === 0x7b ? text.slice(1, text.lastIndexOf('}')) : undefined;
}

const STEP_FIRST = '{"step":';

/** The same after a leading `"step":<digits>,` member: the usual line; anything else takes the slow way. */
function membersAfterStep(text: string): string | undefined {
  if (!text.startsWith(STEP_FIRST)) return undefined;
  let i = STEP_FIRST.length;
  for (let c = text.charCodeAt(i); c >= 0x30 && c <= 0x39; c = text.charCodeAt(++i));
  return text.charCodeAt(i) === 0x2c ? text.slice(i + 1, text.lastIndexOf('}')) : undefined;
}

/** A metrics line's values without "step" (copied: deleting it would make the object slow to read). */
function withoutStep(values: Record<string, unknown>): Record<string, MetricValue> {
  const copy: Record<string, MetricValue> = {};
  for (const name in values) {
    if (name === 'step') continue;
    // An assignment to "__proto__" would set the prototype, and the metric would vanish.
    Object.defineProperty(copy, name, { value: values[name], enumerable: true, writable: true, configurable: true });
  }
  return copy;
}

/** The number of `\n` in `bytes[0, end)`. */
function countLines(bytes: Buffer, end: number): number {
  let n = 0;
  for (let i = bytes.indexOf(NL); i !== -1 && i < end; i = bytes.indexOf(NL, i + 1)) n++;
  return n;
}

/** The largest cut ≤ length that does not split a UTF-8 character (searching back at most 3 bytes). */
function utf8Boundary(bytes: Buffer): number {
  let i = bytes.length - 1;
  while (i > bytes.length - 4 && i >= 0 && (bytes[i]! & 0xc0) === 0x80) i--;
  const lead = bytes[i];
  if (lead === undefined || lead < 0xc0) return bytes.length; // ASCII, or not UTF-8 anyway
  const need = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : 2;
  return bytes.length - i < need ? i : bytes.length;
}

function drainedOrGone(stream: Writable): Promise<void> {
  if (!stream.writableNeedDrain || stream.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      stream.off('drain', done).off('error', done).off('close', done);
      resolve();
    };
    stream.on('drain', done).on('error', done).on('close', done);
  });
}

function redactedValues(values: Record<string, MetricValue>, redact: (text: string) => string): Record<string, MetricValue> {
  // fromEntries defines own properties, so a metric named `__proto__` stays a plain name.
  return Object.fromEntries(Object.entries(values).map(([name, value]) => [redact(name), typeof value === 'string' ? redact(value) : value]));
}
