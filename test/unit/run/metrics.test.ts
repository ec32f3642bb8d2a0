import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  MetricsLog,
  readMetrics,
  summarizeMetrics,
  summarizeMetricsFile,
  type MetricSummary,
  type MetricValue,
  type MetricsLogOptions,
} from '../../../src/run/metrics.js';
import { errorOf } from '../../helpers/errors.js';
import { tmpDir } from '../../helpers/tmp-dir.js';

/** A clock that advances by `step` seconds per reading, from a fixed epoch time. */
function fakeClock(start = 1_700_000_000, step = 0.5): () => number {
  let now = start;
  return () => (now += step);
}

type Call = { values: Record<string, MetricValue>; step?: number };

function logAll(path: string, calls: Call[], options = {}): MetricsLog {
  const log = new MetricsLog(path, { clock: fakeClock(), ...options });
  for (const { values, step } of calls) log.log(values, step === undefined ? {} : { step });
  return log;
}

describe('MetricsLog + readMetrics round trip', () => {
  it.each([
    {
      name: 'numbers, strings and booleans',
      calls: [{ values: { loss: 0.5, phase: 'train', best: true } }, { values: { loss: 0.25, phase: 'val', best: false } }],
      rows: [
        { step: 0, time: 1_700_000_000.5, loss: 0.5, phase: 'train', best: true },
        { step: 1, time: 1_700_000_001, loss: 0.25, phase: 'val', best: false },
      ],
    },
    {
      name: 'NaN and ±Infinity come back as numbers',
      calls: [{ values: { a: Number.NaN, b: Number.POSITIVE_INFINITY, c: Number.NEGATIVE_INFINITY, d: -0.125 } }],
      rows: [{ step: 0, time: 1_700_000_000.5, a: Number.NaN, b: Number.POSITIVE_INFINITY, c: Number.NEGATIVE_INFINITY, d: -0.125 }],
    },
    {
      name: 'names that need escaping',
      calls: [{ values: { 'val/acc"1': 1, 'ü\n': 2, __proto__x: 3 } }],
      rows: [{ step: 0, time: 1_700_000_000.5, 'val/acc"1': 1, 'ü\n': 2, __proto__x: 3 }],
    },
  ])('$name', async ({ calls, rows }) => {
    const path = join(tmpDir(), 'metrics.jsonl');
    logAll(path, calls).close();
    const read = await readMetrics(path);
    expect(read).toEqual({ rows, torn: null, skipped: [] });
  });

  it('writes one JSON object per line with step and time first', () => {
    const path = join(tmpDir(), 'metrics.jsonl');
    logAll(path, [{ values: { loss: 1, x: Number.NaN } }]).close();
    expect(readFileSync(path, 'utf8')).toBe('{"step":0,"time":1700000000.5,"loss":1,"x":"NaN"}\n');
  });

  it.each([
    { name: 'an internal counter from 0', steps: [undefined, undefined, undefined], expected: [0, 1, 2] },
    { name: 'explicit steps', steps: [10, 20, 30], expected: [10, 20, 30] },
    { name: 'the counter continues after an explicit step', steps: [5, undefined, undefined], expected: [5, 6, 7] },
    { name: 'two calls at one step (train and val)', steps: [3, 3, undefined], expected: [3, 3, 4] },
  ])('steps: $name', async ({ steps, expected }) => {
    const path = join(tmpDir(), 'metrics.jsonl');
    logAll(
      path,
      steps.map((step) => ({ values: { v: 1 }, step })),
    ).close();
    expect((await readMetrics(path)).rows.map((r) => r.step)).toEqual(expected);
  });
});

describe('readMetrics tolerance', () => {
  const good = '{"step":0,"time":1,"loss":2}\n{"step":1,"time":2,"loss":1}\n';

  it.each([
    { name: 'a torn last line', text: `${good}{"step":2,"ti`, torn: { line: 3, text: '{"step":2,"ti' }, skipped: [], rows: 2 },
    { name: 'a complete file', text: good, torn: null, skipped: [], rows: 2 },
    { name: 'a last line without newline that is whole', text: good.trimEnd(), torn: null, skipped: [], rows: 2 },
    { name: 'blank lines', text: `\n${good}\n\n`, torn: null, skipped: [], rows: 2 },
    { name: 'a bad line in the middle', text: `{"step":0,"time":1,"l\n${good}`, torn: null, skipped: [{ line: 1, text: '{"step":0,"time":1,"l' }], rows: 2 },
    { name: 'a line that is JSON but not a row', text: `${good}[1,2]\n`, torn: { line: 3, text: '[1,2]' }, skipped: [], rows: 2 },
    { name: 'an empty file', text: '', torn: null, skipped: [], rows: 0 },
  ])('$name', async ({ text, torn, skipped, rows }) => {
    const path = join(tmpDir(), 'metrics.jsonl');
    writeFileSync(path, text);
    const read = await readMetrics(path);
    expect(read.torn).toEqual(torn);
    expect(read.skipped).toEqual(skipped);
    expect(read.rows).toHaveLength(rows);
  });

  it('appending after a torn line starts a new line, so only the torn one is lost', async () => {
    const path = join(tmpDir(), 'metrics.jsonl');
    logAll(path, [{ values: { loss: 3 } }]).close();
    appendFileSync(path, '{"step":1,"time":17000');
    logAll(path, [{ values: { loss: 2 }, step: 2 }]).close();
    const read = await readMetrics(path);
    expect(read.rows.map((r) => [r.step, r.loss])).toEqual([
      [0, 3],
      [2, 2],
    ]);
    expect(read.skipped).toEqual([{ line: 2, text: '{"step":1,"time":17000' }]);
    expect(read.torn).toBeNull();
  });

  it('reports a missing file as RUN_IO', async () => {
    await expect(readMetrics(join(tmpDir(), 'nope.jsonl'))).rejects.toMatchObject({ code: 'RUN_IO' });
  });
});

describe('MetricsLog.summary', () => {
  it.each<{ name: string; calls: Call[]; expected: Record<string, MetricSummary> }>([
    {
      name: 'last, min and max with their steps',
      calls: [{ values: { loss: 3 } }, { values: { loss: 1 } }, { values: { loss: 4 } }, { values: { loss: 2 } }],
      expected: { loss: { last: 2, last_step: 3, min: 1, min_step: 1, max: 4, max_step: 2, count: 4 } },
    },
    {
      name: 'ties keep the first step',
      calls: [
        { values: { acc: 0.9 }, step: 10 },
        { values: { acc: 0.9 }, step: 20 },
      ],
      expected: { acc: { last: 0.9, last_step: 20, min: 0.9, min_step: 10, max: 0.9, max_step: 10, count: 2 } },
    },
    {
      name: 'NaN is last but never min or max',
      calls: [{ values: { l: 2 } }, { values: { l: Number.NaN } }],
      expected: { l: { last: Number.NaN, last_step: 1, min: 2, min_step: 0, max: 2, max_step: 0, count: 2 } },
    },
    {
      name: 'only NaN leaves min and max null',
      calls: [{ values: { l: Number.NaN } }],
      expected: { l: { last: Number.NaN, last_step: 0, min: null, min_step: null, max: null, max_step: null, count: 1 } },
    },
    {
      name: 'strings and booleans are not summarized; metrics logged at different steps',
      calls: [{ values: { a: 1, tag: 'x', ok: true } }, { values: { b: -1 }, step: 7 }, { values: { a: -5 } }],
      expected: {
        a: { last: -5, last_step: 8, min: -5, min_step: 8, max: 1, max_step: 0, count: 2 },
        b: { last: -1, last_step: 7, min: -1, min_step: 7, max: -1, max_step: 7, count: 1 },
      },
    },
  ])('$name, and summarizeMetrics of the file agrees', async ({ calls, expected }) => {
    const path = join(tmpDir(), 'metrics.jsonl');
    const log = logAll(path, calls);
    expect(log.summary()).toEqual(expected);
    log.close();
    expect(summarizeMetrics((await readMetrics(path)).rows)).toEqual(expected);
  });
});

describe('summarizeMetricsFile: the summary of a run without summary.json', () => {
  const three = '{"step":0,"time":1,"loss":3,"acc":0.5}\n{"step":1,"time":2,"loss":1}\n{"step":2,"time":3,"loss":2,"acc":0.75}\n';
  const loss = { last: 2, last_step: 2, min: 1, min_step: 1, max: 3, max_step: 0, count: 3 };
  const acc = { last: 0.75, last_step: 2, min: 0.5, min_step: 0, max: 0.75, max_step: 2, count: 2 };

  it.each<{ name: string; text: string; metrics: Record<string, MetricSummary>; rows: number; torn?: { line: number; text: string }; skipped?: number[] }>([
    { name: 'a complete file', text: three, metrics: { loss, acc }, rows: 3 },
    {
      name: 'a torn last line is left out',
      text: `${three}{"step":3,"time":4,"loss":0.`,
      metrics: { loss, acc },
      rows: 3,
      torn: { line: 4, text: '{"step":3,"time":4,"loss":0.' },
    },
    { name: 'a torn line of an earlier session is skipped', text: `{"step":0,"ti\n${three}`, metrics: { loss, acc }, rows: 3, skipped: [1] },
    { name: 'a whole last line without its newline counts', text: three.trimEnd(), metrics: { loss, acc }, rows: 3 },
    { name: 'an empty file', text: '', metrics: {}, rows: 0 },
    {
      name: 'NaN and ±Infinity strings are numbers; NaN is never min or max',
      text: [
        '{"step":0,"time":1,"x":"NaN","y":"NaN"}',
        '{"step":1,"time":2,"x":"Infinity"}',
        '{"step":2,"time":3,"x":"-Infinity"}',
        '{"step":3,"time":4,"x":"NaN"}',
        '',
      ].join('\n'),
      metrics: {
        x: { last: Number.NaN, last_step: 3, min: Number.NEGATIVE_INFINITY, min_step: 2, max: Number.POSITIVE_INFINITY, max_step: 1, count: 4 },
        y: { last: Number.NaN, last_step: 0, min: null, min_step: null, max: null, max_step: null, count: 1 },
      },
      rows: 4,
    },
    {
      name: 'strings and booleans are not metrics to summarize',
      text: '{"step":0,"time":1,"phase":"train","best":true,"lr":0.1}\n{"step":5,"time":2,"phase":"val","best":false,"note":"NaN?"}\n',
      metrics: { lr: { last: 0.1, last_step: 0, min: 0.1, min_step: 0, max: 0.1, max_step: 0, count: 1 } },
      rows: 2,
    },
  ])('$name', ({ text, metrics, rows, torn, skipped }) => {
    const path = join(tmpDir(), 'metrics.jsonl');
    writeFileSync(path, text);
    const summary = summarizeMetricsFile(path);
    expect(summary.metrics).toEqual(metrics);
    expect(summary.rows).toBe(rows);
    expect(summary.torn).toEqual(torn ?? null);
    expect(summary.skipped.map((s) => s.line)).toEqual(skipped ?? []);
  });

  it('reports a missing file as RUN_IO with ENOENT as its cause', () => {
    const e = errorOf(() => summarizeMetricsFile(join(tmpDir(), 'nope.jsonl')));
    expect(e.code).toBe('RUN_IO');
    expect((e.cause as NodeJS.ErrnoException).code).toBe('ENOENT');
  });

  it('agrees with the writer over a file of several chunks', () => {
    const path = join(tmpDir(), 'metrics.jsonl');
    const log = new MetricsLog(path, { clock: fakeClock() });
    for (let i = 0; i < 40_000; i++) log.log({ loss: Math.sin(i), acc: i % 7 === 0 ? Number.NaN : i / 3, phase: 'train' });
    log.close();
    expect(readFileSync(path).length).toBeGreaterThan(3 << 20);
    const summary = summarizeMetricsFile(path);
    expect(summary.rows).toBe(40_000);
    expect(summary.metrics).toEqual(log.summary());
  });

  it('decodes a character split between two chunks', () => {
    const CHUNK = 1 << 20; // the reader's chunk size
    const head = '{"step":1,"time":1,"';
    const pad = (n: number) => `{"step":0,"time":0,"pad":"${'x'.repeat(n - 29)}"}\n`;
    const text = `${pad(CHUNK - 1 - head.length)}${head}ü":1}\n{"step":2,"time":2,"ü":2}\n`;
    expect(
      Buffer.from(text)
        .subarray(CHUNK - 1, CHUNK + 1)
        .toString(),
    ).toBe('ü');
    const path = join(tmpDir(), 'metrics.jsonl');
    writeFileSync(path, text);
    expect(summarizeMetricsFile(path).metrics).toEqual({ ü: { last: 2, last_step: 2, min: 1, min_step: 1, max: 2, max_step: 2, count: 2 } });
  });
});

describe('MetricsLog buffering', () => {
  it('writes the first line at once, then keeps lines in memory until flushBytes, flush() or close()', () => {
    const path = join(tmpDir(), 'metrics.jsonl');
    const log = new MetricsLog(path, { clock: () => 5, flushBytes: 1 << 20 });
    log.log({ a: 1 }); // the first line is written at once
    log.log({ a: 2 });
    expect(readFileSync(path, 'utf8').split('\n')).toHaveLength(2);
    log.flush();
    expect(readFileSync(path, 'utf8').split('\n')).toHaveLength(3);
    log.log({ a: 3 });
    log.close();
    expect(readFileSync(path, 'utf8').split('\n')).toHaveLength(4);
  });

  it.each<{ name: string; options: MetricsLogOptions; clock: () => number; writtenAfter: number[] }>([
    { name: 'when the buffer passes flushBytes', options: { flushBytes: 40 }, clock: () => 5, writtenAfter: [1, 1, 3, 3] },
    { name: 'when flushSeconds have passed since the last write', options: { flushSeconds: 10 }, clock: fakeClock(0, 4), writtenAfter: [1, 1, 1, 4] },
  ])('writes $name', ({ options, clock, writtenAfter }) => {
    const path = join(tmpDir(), 'metrics.jsonl');
    const log = new MetricsLog(path, { ...options, clock });
    const lines: number[] = [];
    for (let i = 0; i < 4; i++) {
      log.log({ value: i });
      lines.push(readFileSync(path, 'utf8').split('\n').length - 1);
    }
    log.close();
    expect(lines).toEqual(writtenAfter);
  });
});

describe('MetricsLog errors', () => {
  it.each([
    { name: 'a reserved name: step', act: (log: MetricsLog) => log.log({ step: 1 }) },
    { name: 'a reserved name: time', act: (log: MetricsLog) => log.log({ loss: 1, time: 2 }) },
    { name: 'an object value', act: (log: MetricsLog) => log.log({ loss: 1, bad: {} as unknown as number }) },
    { name: 'a negative step', act: (log: MetricsLog) => log.log({ loss: 1 }, { step: -1 }) },
    { name: 'a fractional step', act: (log: MetricsLog) => log.log({ loss: 1 }, { step: 1.5 }) },
    { name: 'logging after close', act: (log: MetricsLog) => (log.close(), log.log({ loss: 1 })) },
  ])('rejects $name with METRIC_INVALID and records nothing', ({ act }) => {
    const path = join(tmpDir(), 'metrics.jsonl');
    const log = new MetricsLog(path, { clock: () => 1 });
    expect(() => act(log)).toThrow(expect.objectContaining({ code: 'METRIC_INVALID' }));
    expect(log.summary()).toEqual({});
    log.close();
    expect(readFileSync(path, 'utf8')).toBe('');
  });
});

describe('rows written by a child process (TRELLIS_METRICS): step and time may be missing', () => {
  it.each<{ name: string; text: string; rows: Array<Record<string, unknown>>; skipped?: number[] }>([
    {
      name: 'no step: the previous row’s step + 1, 0 first; no time stays absent',
      text: '{"loss":3}\n{"loss":2}\n{"step":10,"loss":1}\n{"loss":0.5}\n',
      rows: [
        { step: 0, loss: 3 },
        { step: 1, loss: 2 },
        { step: 10, loss: 1 },
        { step: 11, loss: 0.5 },
      ],
    },
    {
      name: 'a step but no time, and a time but no step',
      text: '{"step":3,"loss":0.2}\n{"time":5.5,"loss":0.1}\n',
      rows: [
        { step: 3, loss: 0.2 },
        { step: 4, time: 5.5, loss: 0.1 },
      ],
    },
    {
      name: 'an unparsable line does not move the counter',
      text: '{"loss":3}\n{"loss":\n{"loss":1}\n',
      rows: [
        { step: 0, loss: 3 },
        { step: 1, loss: 1 },
      ],
      skipped: [2],
    },
    {
      name: 'objects, arrays and null are dropped, the row still counts',
      text: '{"loss":1,"cfg":{"a":1},"hist":[1,2],"none":null,"tag":"x","ok":false,"v":"Infinity"}\n{"nested":{"x":1}}\n',
      rows: [{ step: 0, loss: 1, tag: 'x', ok: false, v: Number.POSITIVE_INFINITY }, { step: 1 }],
    },
    {
      name: 'a step or time that is not a number makes the line unparsable',
      text: '{"step":"3","loss":1}\n{"time":"noon","loss":2}\n{"step":null,"loss":3}\n{"loss":4}\n',
      rows: [{ step: 0, loss: 4 }],
      skipped: [1, 2, 3],
    },
    {
      name: 'a "__proto__" key is an ordinary metric',
      text: '{"__proto__":1,"constructor":"NaN"}\n',
      rows: [Object.assign(JSON.parse('{"step":0,"__proto__":1}') as Record<string, unknown>, { constructor: Number.NaN })],
    },
  ])('$name', async ({ text, rows, skipped }) => {
    const path = join(tmpDir(), 'metrics.jsonl');
    writeFileSync(path, text);
    const read = await readMetrics(path);
    expect(read.rows).toEqual(rows);
    expect(read.skipped.map((s) => s.line)).toEqual(skipped ?? []);
    expect(read.torn).toBeNull();
    for (const row of read.rows) expect(Object.getPrototypeOf(row)).toBe(Object.prototype);
    // The streaming summary sees the same rows.
    const summary = summarizeMetricsFile(path);
    expect(summary.rows).toBe(rows.length);
    expect(summary.metrics).toEqual(summarizeMetrics(read.rows));
  });

  it('summarizes like the writer would have, had it logged the same values without steps', () => {
    const dir = tmpDir();
    const written = join(dir, 'written.jsonl');
    const log = logAll(written, [{ values: { loss: 3, acc: 0.5 } }, { values: { loss: 1 }, step: 7 }, { values: { loss: 2, acc: 0.75 } }]);
    const expected = log.summary();
    log.close();
    const child = join(dir, 'child.jsonl');
    writeFileSync(child, '{"loss":3,"acc":0.5}\n{"step":7,"loss":1}\n{"loss":2,"acc":0.75,"extra":{"ignored":true}}\n');
    expect(summarizeMetricsFile(child).metrics).toEqual(expected);
    expect(summarizeMetricsFile(written).metrics).toEqual(expected);
  });

  it('a child appending to the writer’s file continues its steps', async () => {
    const path = join(tmpDir(), 'metrics.jsonl');
    const log = logAll(path, [{ values: { loss: 3 }, step: 4 }]);
    log.close();
    appendFileSync(path, '{"loss":2}\n');
    expect((await readMetrics(path)).rows.map((r) => [r.step, r.loss])).toEqual([
      [4, 3],
      [5, 2],
    ]);
  });
});

describe('a file shared with another writer', () => {
  it('a line the other writer left unfinished does not swallow the next one the log writes', async () => {
    const path = join(tmpDir(), 'metrics.jsonl');
    const log = new MetricsLog(path, { clock: fakeClock(), flushSeconds: 0 });
    log.log({ loss: 3 });
    // A program killed mid-write, or one that writes its line in two parts.
    appendFileSync(path, '{"acc": 0.9}');
    log.log({ loss: 2 });
    log.close();
    const read = await readMetrics(path);
    expect(read.rows.map((r) => r.loss ?? r.acc)).toEqual([3, 0.9, 2]);
    expect(read.skipped).toEqual([]);
  });
});

describe('MetricsLog.logEncoded: a row that is JSON text already', () => {
  it('writes the members as given and summarizes them as log() would', async () => {
    const path = join(tmpDir(), 'metrics.jsonl');
    const log = new MetricsLog(path, { clock: fakeClock() });
    log.logEncoded({ step: 5, loss: 1.5, tag: 'a' }, '"loss":1.50,"tag":"a"', { step: 5 });
    log.logEncoded({ loss: Number.NaN }, '"loss":"NaN"');
    log.logEncoded({}, '');
    log.close();
    expect(readFileSync(path, 'utf8')).toBe(
      '{"step":5,"time":1700000000.5,"loss":1.50,"tag":"a"}\n{"step":6,"time":1700000001,"loss":"NaN"}\n{"step":7,"time":1700000001.5}\n',
    );
    const expected = { loss: { last: Number.NaN, last_step: 6, min: 1.5, min_step: 5, max: 1.5, max_step: 5, count: 2 } };
    expect(log.summary()).toEqual(expected);
    expect(summarizeMetrics((await readMetrics(path)).rows)).toEqual(expected);
  });
});
