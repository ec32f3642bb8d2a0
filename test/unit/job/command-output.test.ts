import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { METRIC_LINE_PREFIX, relayCommandOutput, type CommandOutputOptions } from '../../../src/job/command-output.js';
import { MetricsLog, readMetrics, summarizeMetricsFile, type MetricRow } from '../../../src/run/metrics.js';
import { tmpDir } from '../../helpers/tmp-dir.js';

/** A Writable that keeps what it gets; `slow` answers each write on a later turn of the event loop, with a small buffer. */
function sink(slow = false): Writable & { bytes(): Buffer } {
  const chunks: Buffer[] = [];
  const stream = new Writable({
    highWaterMark: slow ? 1024 : 16 * 1024,
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(chunk);
      if (slow) setImmediate(callback);
      else callback();
    },
  });
  return Object.assign(stream, { bytes: () => Buffer.concat(chunks) });
}

type Chunks = Array<string | Buffer>;

interface Outcome {
  console: { stdout: string; stderr: string };
  /** What a line console got, in 'lines' mode. */
  lines: Array<[stream: string, line: string]>;
  log: string;
  rows: MetricRow[];
  warnings: string[];
  counts: { metricLines: number; badMetricLines: number; lines: number };
  tail: string[];
}

/** Relays the chunks (Readable.from emits each as one 'data' event) and reads back every destination. */
async function relay(stdout: Chunks, stderr: Chunks = [], mode: 'inherit' | 'lines' = 'inherit', extra: Partial<CommandOutputOptions> = {}): Promise<Outcome> {
  const dir = tmpDir();
  const metrics = new MetricsLog(join(dir, 'metrics.jsonl'), { clock: () => 1 });
  const out = sink();
  const err = sink();
  const lines: Outcome['lines'] = [];
  const warnings: string[] = [];
  const output = relayCommandOutput({
    stdout: Readable.from(stdout),
    stderr: Readable.from(stderr),
    metrics,
    logPath: join(dir, 'job.log'),
    console: mode === 'inherit' ? 'inherit' : (line, stream) => lines.push([stream, line]),
    consoleStreams: { stdout: out, stderr: err },
    warn: (line) => warnings.push(line),
    ...extra,
  });
  await output.done;
  metrics.close();
  return {
    console: { stdout: out.bytes().toString('utf8'), stderr: err.bytes().toString('utf8') },
    lines,
    log: readFileSync(join(dir, 'job.log'), 'utf8'),
    rows: (await readMetrics(join(dir, 'metrics.jsonl'))).rows,
    warnings,
    counts: output.counts(),
    tail: output.stderrTail(),
  };
}

describe('metrics lines on stdout', () => {
  it.each<{ name: string; line: string; row: Record<string, unknown> }>([
    { name: 'a step and a value', line: '@trellis {"step": 3, "loss": 0.2}', row: { step: 3, time: 1, loss: 0.2 } },
    { name: 'the usual compact form', line: '@trellis {"step":3,"loss":0.2}', row: { step: 3, time: 1, loss: 0.2 } },
    { name: 'no step: counted from 0', line: '@trellis {"loss": 0.2}', row: { step: 0, time: 1, loss: 0.2 } },
    { name: 'the step after the others', line: '@trellis {"loss":1,"step":4}', row: { step: 4, time: 1, loss: 1 } },
    { name: 'a step written 4.0', line: '@trellis {"step":4.0,"loss":1}', row: { step: 4, time: 1, loss: 1 } },
    { name: 'strings and booleans', line: '@trellis {"phase":"train","best":true}', row: { step: 0, time: 1, phase: 'train', best: true } },
    {
      name: 'NaN and ±Infinity as strings',
      line: '@trellis {"a":"NaN","b":"Infinity","c":"-Infinity"}',
      row: { step: 0, time: 1, a: Number.NaN, b: Number.POSITIVE_INFINITY, c: Number.NEGATIVE_INFINITY },
    },
    { name: 'an empty object: a step only', line: '@trellis {}', row: { step: 0, time: 1 } },
    { name: 'only a step', line: '@trellis {"step":7}', row: { step: 7, time: 1 } },
    { name: 'spaces around the object', line: '@trellis   { "a" : 1 }  ', row: { step: 0, time: 1, a: 1 } },
    { name: 'CRLF', line: '@trellis {"step":2,"a":1}\r', row: { step: 2, time: 1, a: 1 } },
    { name: 'escaped and non-ASCII names', line: '@trellis {"val/acc\\"1":1,"ü":2}', row: { step: 0, time: 1, 'val/acc"1': 1, ü: 2 } },
    { name: 'a "__proto__" metric', line: '@trellis {"__proto__":5}', row: JSON.parse('{"step":0,"time":1,"__proto__":5}') as Record<string, unknown> },
  ])('$name', async ({ line, row }) => {
    const r = await relay([`before\n${line}\nafter\n`]);
    expect(r.rows).toEqual([row]);
    expect(r.console.stdout).toBe('before\nafter\n');
    expect(r.log).toBe('before\nafter\n');
    expect(r.warnings).toEqual([]);
    expect(r.counts).toEqual({ metricLines: 1, badMetricLines: 0, lines: 2 });
  });

  it.each<{ name: string; line: string; problem: string }>([
    { name: 'not JSON', line: '@trellis {"loss": 0.2', problem: 'not JSON' },
    { name: 'nothing after the prefix', line: '@trellis ', problem: 'not JSON' },
    { name: 'a word', line: '@trellis oops', problem: 'not JSON' },
    { name: 'an array', line: '@trellis [1,2]', problem: 'not a JSON object' },
    { name: 'a number', line: '@trellis 42', problem: 'not a JSON object' },
    { name: 'a negative step', line: '@trellis {"step":-1,"a":1}', problem: '"step" must be a non-negative integer, got -1' },
    { name: 'a fractional step', line: '@trellis {"step":1.5}', problem: '"step" must be a non-negative integer, got 1.5' },
    { name: 'a step as a string', line: '@trellis {"step":"3"}', problem: '"step" must be a non-negative integer, got "3"' },
    { name: 'the reserved name time', line: '@trellis {"time":1,"a":1}', problem: '"time" is written by trellis itself' },
    { name: 'an object value', line: '@trellis {"a":{"b":1}}', problem: 'metric "a" must be a number, string or boolean, got object' },
    { name: 'an array value', line: '@trellis {"a":[1]}', problem: 'metric "a" must be a number, string or boolean, got an array' },
    { name: 'null', line: '@trellis {"a":null}', problem: 'metric "a" must be a number, string or boolean, got null' },
  ])('a bad one is kept as output and warned about: $name', async ({ line, problem }) => {
    const r = await relay([`before\n${line}\nafter\n`]);
    expect(r.rows).toEqual([]);
    expect(r.console.stdout).toBe(`before\n${line}\nafter\n`);
    expect(r.log).toBe(`before\n${line}\nafter\n`);
    expect(r.warnings).toHaveLength(1);
    expect(r.warnings[0]).toContain(`stdout line 2 starts with '@trellis ' but is not a metrics line: ${problem}`);
    expect(r.warnings[0]).toContain('it was kept as output');
    // One line on the console: the line's own newline is not quoted into the message.
    expect(r.warnings[0]!.slice(0, r.warnings[0]!.indexOf('; it was kept'))).not.toContain('\n');
    expect(r.counts).toEqual({ metricLines: 0, badMetricLines: 1, lines: 3 });
  });

  it.each([
    { name: 'no space after the prefix', line: '@trellis{"a":1}' },
    { name: 'a space before it', line: ' @trellis {"a":1}' },
    { name: 'another case', line: '@Trellis {"a":1}' },
    { name: 'a prefix of the prefix', line: '@trell' },
    { name: 'the prefix without its space', line: '@trellis' },
    { name: 'on stderr', line: '@trellis {"a":1}', stream: 'stderr' as const },
  ])('an ordinary line, not a metrics line: $name', async ({ line, stream = 'stdout' }) => {
    const text = `${line}\n`;
    const r = stream === 'stdout' ? await relay([text]) : await relay([], [text]);
    expect(r.rows).toEqual([]);
    expect(r.console[stream]).toBe(text);
    expect(r.log).toBe(text);
    expect(r.warnings).toEqual([]);
  });

  it('a metrics line without its newline at the end of output counts', async () => {
    const r = await relay(['x\n@trellis {"a":1}']);
    expect(r.rows).toEqual([{ step: 0, time: 1, a: 1 }]);
    expect(r.console.stdout).toBe('x\n');
  });

  it('steps go on from the last one, like run.log', async () => {
    const r = await relay(['@trellis {"a":1}\n@trellis {"step":10,"a":2}\n@trellis {"a":3}\n@trellis {"a":4,"step":2}\n@trellis {"a":5}\n']);
    expect(r.rows.map((row) => [row.step, row.a])).toEqual([
      [0, 1],
      [10, 2],
      [11, 3],
      [2, 4],
      [3, 5],
    ]);
  });

  it('writes the numbers as the child wrote them, and summarizes them as the writer does', async () => {
    const dir = tmpDir();
    const metrics = new MetricsLog(join(dir, 'metrics.jsonl'), { clock: () => 1 });
    const out = relayCommandOutput({
      stdout: Readable.from(['@trellis {"step":0,"loss":1.50,"lr":1e-3}\n@trellis {"loss":"NaN","tag":"a"}\n@trellis {"loss":0.25}\n']),
      stderr: Readable.from([]),
      metrics,
      logPath: join(dir, 'job.log'),
      console: () => {},
      warn: () => {},
    });
    await out.done;
    metrics.close();
    expect(readFileSync(join(dir, 'metrics.jsonl'), 'utf8')).toBe(
      '{"step":0,"time":1,"loss":1.50,"lr":1e-3}\n{"step":1,"time":1,"loss":"NaN","tag":"a"}\n{"step":2,"time":1,"loss":0.25}\n',
    );
    const summary = { loss: { last: 0.25, last_step: 2, min: 0.25, min_step: 2, max: 1.5, max_step: 0, count: 3 }, lr: expect.anything() };
    expect(metrics.summary()).toEqual(summary);
    expect(summarizeMetricsFile(join(dir, 'metrics.jsonl')).metrics).toEqual(metrics.summary());
  });

  it('warns about the first 10 bad lines, then once with the count of the rest', async () => {
    const r = await relay([Array.from({ length: 15 }, (_, i) => `@trellis bad ${i}\n`).join('')]);
    expect(r.warnings).toHaveLength(11);
    expect(r.warnings[0]).toContain('e.g. @trellis {"step": 3, "loss": 0.2}'); // the first says what a metrics line is
    expect(r.warnings[1]).not.toContain('e.g.');
    expect(r.warnings[9]).toContain('stdout line 10 ');
    expect(r.warnings[10]).toBe("5 more stdout lines started with '@trellis ' but were not metrics lines (not shown); they were kept as output.");
    expect(r.counts.badMetricLines).toBe(15);
    expect(r.log.split('\n')).toHaveLength(16);
  });
});

describe('ordinary output: console and log', () => {
  it('passes bytes to the console as they come, holding back only what may be a metrics line', async () => {
    const dir = tmpDir();
    const metrics = new MetricsLog(join(dir, 'metrics.jsonl'), { clock: () => 1 });
    const stdout = new Readable({ read() {} });
    const stderr = new Readable({ read() {} });
    const out = sink();
    const err = sink();
    const output = relayCommandOutput({
      stdout,
      stderr,
      metrics,
      logPath: join(dir, 'job.log'),
      console: 'inherit',
      consoleStreams: { stdout: out, stderr: err },
      warn: () => {},
    });
    const seen = async () => {
      await new Promise((resolve) => setImmediate(resolve)); // 'data' is emitted on a later tick
      return [out.bytes().toString(), err.bytes().toString()];
    };
    stderr.push(' 10%|█         |\r');
    expect((await seen())[1]).toBe(' 10%|█         |\r'); // a progress bar shows at once
    stdout.push('epoch 1');
    expect((await seen())[0]).toBe('epoch 1');
    stdout.push(' done\n@tre');
    expect((await seen())[0]).toBe('epoch 1 done\n'); // "@tre" may become a metrics line
    stdout.push('llis {"a":1}\n@tr');
    expect((await seen())[0]).toBe('epoch 1 done\n');
    stdout.push('ue\n');
    expect((await seen())[0]).toBe('epoch 1 done\n@true\n');
    stderr.push(' 20%|██        |\r\n');
    stdout.push(null);
    stderr.push(null);
    await output.done;
    metrics.close();
    expect(readFileSync(join(dir, 'job.log'), 'utf8')).toBe('epoch 1 done\n@true\n 10%|█         |\r 20%|██        |\r\n');
  });

  it('keeps the lines of the two streams whole in the log, in the order they complete', async () => {
    const dir = tmpDir();
    const metrics = new MetricsLog(join(dir, 'metrics.jsonl'));
    const stdout = new Readable({ read() {} });
    const stderr = new Readable({ read() {} });
    const output = relayCommandOutput({ stdout, stderr, metrics, logPath: join(dir, 'job.log'), console: () => {}, warn: () => {} });
    const tick = () => new Promise((resolve) => setImmediate(resolve));
    stdout.push('out 1 st');
    await tick();
    stderr.push('err 1\nerr 2 st');
    await tick();
    stdout.push('arts\nout 2\n');
    await tick();
    stderr.push('arts\n');
    await tick();
    stdout.push('out 3, no newline');
    stdout.push(null);
    await tick();
    stderr.push('err 3\n');
    stderr.push(null);
    await output.done;
    metrics.close();
    expect(readFileSync(join(dir, 'job.log'), 'utf8')).toBe('err 1\nout 1 starts\nout 2\nerr 2 starts\nout 3, no newline\nerr 3\n');
  });

  it('a line console gets whole lines without "\\n", "\\r" kept, a partial last line too', async () => {
    const r = await relay(['a\r\nb', '\n@trellis {"x":1}\nc'], ['e1\ne', '2'], 'lines');
    expect(r.lines.filter(([s]) => s === 'stdout').map(([, l]) => l)).toEqual(['a\r', 'b', 'c']);
    expect(r.lines.filter(([s]) => s === 'stderr').map(([, l]) => l)).toEqual(['e1', 'e2']);
    expect(r.log.split('\n').sort()).toEqual(['', 'a\r', 'b', 'c', 'e1', 'e2']);
  });

  it('decodes a character split between chunks, and keeps bytes that are not UTF-8 unchanged in the log', async () => {
    const text = Buffer.from('ü€😀 and @trellis {"ü":1}\n');
    const bad = Buffer.from([0x66, 0xff, 0xfe, 0x0a]);
    const chunks = [...text].map((byte) => Buffer.from([byte])); // one byte per chunk
    const r = await relay([...chunks, Buffer.from('@trellis {"ü€":2}\n'.slice(0, 12)), Buffer.from('@trellis {"ü€":2}\n'.slice(12)), bad], [], 'lines');
    expect(r.lines).toEqual([
      ['stdout', 'ü€😀 and @trellis {"ü":1}'],
      ['stdout', 'f\ufffd\ufffd'],
    ]);
    expect(r.rows).toEqual([{ step: 0, time: 1, 'ü€': 2 }]);
    const dir = tmpDir();
    const metrics = new MetricsLog(join(dir, 'metrics.jsonl'));
    await relayCommandOutput({
      stdout: Readable.from([bad]),
      stderr: Readable.from([]),
      metrics,
      logPath: join(dir, 'job.log'),
      console: () => {},
      warn: () => {},
    }).done;
    metrics.close();
    expect(readFileSync(join(dir, 'job.log'))).toEqual(bad);
  });

  it('copes with no output at all', async () => {
    const r = await relay([], []);
    expect(r).toMatchObject({ console: { stdout: '', stderr: '' }, log: '', rows: [], tail: [], counts: { metricLines: 0, badMetricLines: 0, lines: 0 } });
  });

  it('passes very long lines through whole, a too long metrics line as output', async () => {
    const long = 'x'.repeat(3 << 20);
    const chunks = (text: string) => Array.from({ length: Math.ceil(text.length / 65536) }, (_, i) => text.slice(i * 65536, (i + 1) * 65536));
    const metric = `@trellis {"a":"${'y'.repeat(2 << 20)}"}`;
    const r = await relay(chunks(`${long}\n${metric}\nend\n`));
    expect(r.console.stdout).toBe(`${long}\n${metric}\nend\n`);
    expect(r.log).toBe(`${long}\n${metric}\nend\n`);
    expect(r.rows).toEqual([]);
    expect(r.warnings[0]).toContain(`stdout line 2 starts with '@trellis ' but is not a metrics line: longer than ${1 << 20} bytes`);
  });

  it('keeps the last stderr lines as a terminal shows them', async () => {
    const bar = (p: number) => ` ${p}%|${'█'.repeat(p / 10)}|\r`;
    const lines = Array.from({ length: 30 }, (_, i) => `line ${i}\r\n`);
    const r = await relay([], [...lines, bar(10), bar(50), bar(100), '\n', 'Traceback: boom']);
    expect(r.tail).toEqual([...Array.from({ length: 18 }, (_, i) => `line ${i + 12}`), ' 100%|██████████|', 'Traceback: boom']);
    const three = await relay([], ['a\nb\nc\nd\n'], 'inherit', { stderrTailLines: 3 });
    expect(three.tail).toEqual(['b', 'c', 'd']);
  });
});

describe('everything arrives, however the output is cut into chunks', () => {
  const ordinary = fc
    .array(fc.constantFrom('a', 'ü', '😀', ' ', '\r', '@', '@trellis', '@tre', '{', '}', '"', 'x'), { maxLength: 12 })
    .map((parts) => parts.join(''))
    .filter((text) => !text.startsWith(METRIC_LINE_PREFIX));
  const metric = fc
    .record({
      step: fc.option(fc.nat(1000), { nil: undefined }),
      v: fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean(), fc.string({ maxLength: 5 })),
    })
    .map(({ step, v }) => ({ kind: 'metric' as const, text: `${METRIC_LINE_PREFIX}${JSON.stringify(step === undefined ? { v } : { step, v })}`, step, v }));
  const bad = fc
    .constantFrom('@trellis ', '@trellis {', '@trellis []', '@trellis {"time":1}', '@trellis {"v":{}}')
    .map((text) => ({ kind: 'bad' as const, text }));
  const line = fc.oneof(
    ordinary.map((text) => ({ kind: 'plain' as const, text })),
    metric,
    bad,
  );
  const input = fc.record({
    stdout: fc.array(line, { maxLength: 25 }),
    stdoutEnd: fc.boolean(), // does the last line end with a newline?
    stderr: fc.array(
      ordinary.map((text) => `E${text}`),
      { maxLength: 10 },
    ),
    cutsOut: fc.array(fc.nat(), { maxLength: 12 }),
    cutsErr: fc.array(fc.nat(), { maxLength: 6 }),
    mode: fc.constantFrom('inherit' as const, 'lines' as const),
  });
  const cut = (bytes: Buffer, at: number[]) => {
    const points = [...new Set(at.map((n) => n % (bytes.length + 1)))].sort((a, b) => a - b);
    const chunks: Buffer[] = [];
    let from = 0;
    for (const p of [...points, bytes.length]) {
      if (p > from) chunks.push(bytes.subarray(from, p));
      from = p;
    }
    return chunks;
  };

  it('console = input minus metrics lines; log = every other line, whole; metrics = every metrics line', async () => {
    await fc.assert(
      fc.asyncProperty(input, async ({ stdout: given, stdoutEnd, stderr, cutsOut, cutsErr, mode }) => {
        // An empty last line without its newline is no line at all.
        // The text is built from every given line: a stripped empty line still ends the one before.
        const stdout = !stdoutEnd && given.at(-1)?.text === '' ? given.slice(0, -1) : given;
        const outText = given.map((l) => l.text).join('\n') + (stdoutEnd && given.length > 0 ? '\n' : '');
        const errText = stderr.map((l) => `${l}\n`).join('');
        const r = await relay(cut(Buffer.from(outText), cutsOut), cut(Buffer.from(errText), cutsErr), mode);
        const kept = stdout.filter((l) => l.kind !== 'metric');
        const keptText = stdout.map((l, i) => (l.kind === 'metric' ? '' : l.text + (i < given.length - 1 || stdoutEnd ? '\n' : ''))).join('');
        if (mode === 'inherit') {
          expect(r.console.stdout).toBe(keptText);
          expect(r.console.stderr).toBe(errText);
        } else {
          expect(r.lines.filter(([s]) => s === 'stdout').map(([, l]) => l)).toEqual(kept.map((l) => l.text));
          expect(r.lines.filter(([s]) => s === 'stderr').map(([, l]) => l)).toEqual(stderr);
        }
        const logLines = r.log.split('\n');
        expect(logLines.pop()).toBe('');
        expect(logLines.filter((l) => !l.startsWith('E'))).toEqual(kept.map((l) => l.text));
        expect(logLines.filter((l) => l.startsWith('E'))).toEqual(stderr);
        const metrics = stdout.filter((l) => l.kind === 'metric');
        expect(r.rows.map((row) => row.v)).toEqual(metrics.map((m) => JSON.parse(JSON.stringify(m.v)) as unknown)); // as printed: -0 is 0
        expect(r.counts).toEqual({ metricLines: metrics.length, badMetricLines: stdout.filter((l) => l.kind === 'bad').length, lines: logLines.length });
      }),
      { numRuns: 300 },
    );
  });
});

describe('a real child process', () => {
  it('loses nothing of fast mixed output on both streams', async () => {
    const N = 20_000;
    const script = `
      let out = '', err = '';
      for (let i = 0; i < ${N}; i++) {
        out += '@trellis {"step":' + i + ',"loss":' + (1 / (i + 1)) + '}\\n';
        out += 'line ' + i + (i % 1000 === 0 ? '\\r\\n' : '\\n');
        if (i % 4 === 0) err += 'warn ' + i + '\\n';
        if (out.length > 50000) { process.stdout.write(out); out = ''; }
        if (err.length > 7000) { process.stderr.write(err); err = ''; }
      }
      process.stdout.write(out + '@trellis {"last":true}');
      process.stderr.write(err + 'the end, no newline');`;
    const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    const dir = tmpDir();
    const metrics = new MetricsLog(join(dir, 'metrics.jsonl'));
    const out = sink();
    const err = sink();
    const output = relayCommandOutput({
      stdout: child.stdout,
      stderr: child.stderr,
      metrics,
      logPath: join(dir, 'job.log'),
      console: 'inherit',
      consoleStreams: { stdout: out, stderr: err },
      warn: (line) => expect.fail(line),
    });
    await output.done;
    metrics.close();
    const ordinary = Array.from({ length: N }, (_, i) => `line ${i}${i % 1000 === 0 ? '\r' : ''}`);
    const warnings = Array.from({ length: N / 4 }, (_, i) => `warn ${i * 4}`);
    expect(out.bytes().toString()).toBe(ordinary.map((l) => `${l}\n`).join(''));
    expect(err.bytes().toString()).toBe(`${warnings.map((l) => `${l}\n`).join('')}the end, no newline`);
    const log = readFileSync(join(dir, 'job.log'), 'utf8').split('\n');
    expect(log.pop()).toBe('');
    expect(log.filter((l) => l.startsWith('line'))).toEqual(ordinary);
    expect(log.filter((l) => !l.startsWith('line'))).toEqual([...warnings, 'the end, no newline']);
    const { rows } = await readMetrics(join(dir, 'metrics.jsonl'));
    expect(rows).toHaveLength(N + 1);
    expect(rows.slice(0, N).every((row, i) => row.step === i && row.loss === 1 / (i + 1))).toBe(true);
    expect(rows[N]).toMatchObject({ step: N, last: true });
    expect(output.counts()).toEqual({ metricLines: N + 1, badMetricLines: 0, lines: N + N / 4 + 1 });
    expect(output.stderrTail().slice(-2)).toEqual([`warn ${N - 4}`, 'the end, no newline']);
  });
});

describe('backpressure', () => {
  it('pauses the child while the console is slow: nothing lost, little held in memory', async () => {
    const CHUNK = 64 * 1024;
    const CHUNKS = 64; // 4 MiB
    const chunk = Buffer.from(`${'o'.repeat(60)}\n${METRIC_LINE_PREFIX}{"a":1}\n`.repeat(CHUNK / 80 + 1).slice(0, CHUNK));
    let produced = 0;
    let received = 0;
    let mostInSource = 0;
    let mostInConsole = 0;
    // Makes a chunk only when asked: a source that is never paused is drained at once into the console's buffer.
    const stdout = new Readable({
      highWaterMark: CHUNK,
      read() {
        this.push(produced === CHUNKS * CHUNK ? null : chunk);
        if (produced < CHUNKS * CHUNK) produced += CHUNK;
      },
    });
    stdout.on('data', (c: Buffer) => (received += c.length));
    const slow = sink(true);
    const write = slow.write.bind(slow);
    slow.write = ((...args: Parameters<typeof slow.write>) => {
      const ok = write(...args);
      mostInConsole = Math.max(mostInConsole, slow.writableLength);
      mostInSource = Math.max(mostInSource, produced - received);
      return ok;
    }) as typeof slow.write;
    const dir = tmpDir();
    const metrics = new MetricsLog(join(dir, 'metrics.jsonl'));
    const output = relayCommandOutput({
      stdout,
      stderr: Readable.from([]),
      metrics,
      logPath: join(dir, 'job.log'),
      console: 'inherit',
      consoleStreams: { stdout: slow, stderr: sink() },
      warn: () => {},
    });
    await output.done;
    metrics.close();
    const all = chunk.toString().repeat(CHUNKS).split('\n');
    const ordinary = all.filter((l) => !l.startsWith(METRIC_LINE_PREFIX));
    expect(slow.bytes().toString()).toBe(ordinary.join('\n'));
    const text = ordinary.join('\n');
    expect(readFileSync(join(dir, 'job.log'), 'utf8')).toBe(text.endsWith('\n') ? text : `${text}\n`);
    expect(output.counts().metricLines).toBe(all.length - ordinary.length);
    expect(mostInConsole).toBeLessThanOrEqual(2 * CHUNK); // a chunk or so, not megabytes
    expect(mostInSource).toBeLessThanOrEqual(4 * CHUNK); // the chunk being handled and the source's read-ahead
  });
});

describe('when the log cannot be written', () => {
  it.each([
    { name: 'the disk is full (/dev/full)', logPath: () => '/dev/full', errno: 'ENOSPC', skip: !existsSync('/dev/full') },
    { name: 'its directory is missing', logPath: () => join(tmpDir(), 'no', 'job.log'), errno: 'ENOENT', skip: false },
  ])('$name: the console still gets everything, and done rejects with RUN_IO', async ({ logPath, errno, skip }) => {
    if (skip) return;
    const dir = tmpDir();
    const metrics = new MetricsLog(join(dir, 'metrics.jsonl'));
    const out = sink();
    const text = 'x'.repeat(1000) + '\n';
    const output = relayCommandOutput({
      stdout: Readable.from(Array.from({ length: 500 }, () => `${text}@trellis {"a":1}\n`)),
      stderr: Readable.from(['e\n']),
      metrics,
      logPath: logPath(),
      console: 'inherit',
      consoleStreams: { stdout: out, stderr: sink() },
      warn: () => {},
    });
    await expect(output.done).rejects.toMatchObject({ code: 'RUN_IO', cause: { code: errno } });
    metrics.close();
    expect(out.bytes().toString()).toBe(text.repeat(500));
    expect(output.counts().metricLines).toBe(500);
  });
});

describe('when a destination fails', () => {
  it.skipIf(!existsSync('/dev/full'))('the metrics file is full: the lines are kept as output, and done rejects with RUN_IO', async () => {
    const dir = tmpDir();
    const metrics = new MetricsLog('/dev/full');
    const out = sink();
    const warnings: string[] = [];
    const output = relayCommandOutput({
      stdout: Readable.from(['a\n@trellis {"loss":1}\nb\n']),
      stderr: Readable.from([]),
      metrics,
      logPath: join(dir, 'job.log'),
      console: 'inherit',
      consoleStreams: { stdout: out, stderr: sink() },
      warn: (line) => warnings.push(line),
    });
    await expect(output.done).rejects.toMatchObject({ code: 'RUN_IO', cause: { code: 'ENOSPC' } });
    expect(out.bytes().toString()).toBe('a\n@trellis {"loss":1}\nb\n');
    expect(readFileSync(join(dir, 'job.log'), 'utf8')).toBe('a\n@trellis {"loss":1}\nb\n');
    expect(warnings[0]).toContain('Cannot write metrics file /dev/full (ENOSPC)');
    metrics.close();
  });

  it('a console that fails (EPIPE) is left alone; the log still gets everything and done resolves', async () => {
    const dir = tmpDir();
    const metrics = new MetricsLog(join(dir, 'metrics.jsonl'));
    const broken = new Writable({
      write(_chunk, _encoding, callback) {
        callback(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
      },
    });
    const lines = Array.from({ length: 1000 }, (_, i) => `line ${i}\n`);
    const output = relayCommandOutput({
      stdout: Readable.from(lines),
      stderr: Readable.from(['e\n']),
      metrics,
      logPath: join(dir, 'job.log'),
      console: 'inherit',
      consoleStreams: { stdout: broken, stderr: sink() },
      warn: () => {},
    });
    await output.done;
    metrics.close();
    expect(
      readFileSync(join(dir, 'job.log'), 'utf8')
        .split('\n')
        .filter((l) => l.startsWith('line')),
    ).toHaveLength(1000);
    expect(broken.listenerCount('error')).toBe(0); // its listener is removed at the end
  });
});
