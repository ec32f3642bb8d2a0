import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { LineSorter } from '../run/metrics.js';

/** One metric of a run as read so far: x values and values, in log order. */
export interface Series {
  step: number[];
  /** Seconds since the epoch; NaN where the writer gave no time. */
  time: number[];
  value: number[];
}

const CHUNK_BYTES = 1 << 20;

/**
 * A run's `metrics.jsonl`, read incrementally: each `update()` reads only the bytes appended
 * since the last one (an append-only file: DESIGN.md §5), and keeps a line without its newline
 * for the next read, so a write in progress is never parsed half. A file that shrank or was
 * replaced is read again from the start.
 */
export class MetricsTail {
  readonly path: string;
  private offset = 0;
  private ino = -1;
  private rest = '';
  private decoder = new StringDecoder('utf8');
  private lines = new LineSorter();
  private readonly series = new Map<string, Series>();
  /** Points held, over every metric (for the cache's budget). */
  points = 0;

  constructor(path: string) {
    this.path = path;
  }

  /** Reads what was appended; returns false when the file cannot be read (missing: no metrics yet). */
  update(): boolean {
    let fd: number;
    try {
      fd = openSync(this.path, 'r');
    } catch {
      return false;
    }
    try {
      const st = fstatSync(fd);
      if (st.ino !== this.ino || st.size < this.offset) this.reset(st.ino);
      const buffer = Buffer.alloc(Math.min(CHUNK_BYTES, Math.max(1, st.size - this.offset)));
      for (let n; this.offset < st.size && (n = readSync(fd, buffer, 0, buffer.length, this.offset)) > 0;) {
        this.offset += n;
        const parts = (this.rest + this.decoder.write(buffer.subarray(0, n))).split('\n');
        this.rest = parts.pop()!;
        for (const text of parts) this.take(text);
      }
    } finally {
      closeSync(fd);
    }
    return true;
  }

  private reset(ino: number): void {
    this.ino = ino;
    this.offset = 0;
    this.rest = '';
    this.decoder = new StringDecoder('utf8');
    this.lines = new LineSorter();
    this.series.clear();
    this.points = 0;
  }

  private take(text: string): void {
    const row = this.lines.take(text);
    if (!row) return;
    const time = typeof row.time === 'number' ? row.time : Number.NaN;
    for (const name of Object.keys(row)) {
      const v = row[name];
      if (name === 'step' || name === 'time' || typeof v !== 'number') continue;
      let s = this.series.get(name);
      if (!s) this.series.set(name, (s = { step: [], time: [], value: [] }));
      s.step.push(row.step);
      s.time.push(time);
      s.value.push(v);
      this.points++;
    }
  }

  names(): string[] {
    return [...this.series.keys()];
  }

  get(name: string): Series | undefined {
    return this.series.get(name);
  }
}

/**
 * Tails kept between requests, least recently used first out once they hold more than
 * `maxPoints` points: memory stays bounded on a large store, and a running run's tail is
 * read incrementally as long as it is looked at.
 */
export class TailCache {
  private readonly tails = new Map<string, MetricsTail>();
  constructor(private readonly maxPoints = 2_000_000) {}

  /** The tail of `path`, brought up to date; undefined when the file cannot be read. */
  read(path: string): MetricsTail | undefined {
    let tail = this.tails.get(path);
    if (tail) this.tails.delete(path);
    else tail = new MetricsTail(path);
    if (!tail.update()) return undefined;
    this.tails.set(path, tail);
    let total = 0;
    for (const t of this.tails.values()) total += t.points;
    for (const [key, t] of this.tails) {
      if (total <= this.maxPoints || t === tail) break;
      total -= t.points;
      this.tails.delete(key);
    }
    return tail;
  }
}
