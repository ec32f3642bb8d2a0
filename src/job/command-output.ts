// PLACEHOLDER until the relay branch lands: same API, no backpressure.
import { createWriteStream } from 'node:fs';
import type { Readable, Writable } from 'node:stream';
import type { MetricsLog } from '../run/metrics.js';

const METRIC_LINE_PREFIX = '@trellis ';

export interface CommandOutputOptions {
  stdout: Readable;
  stderr: Readable;
  metrics: MetricsLog;
  logPath: string;
  console: 'inherit' | ((line: string, stream: 'stdout' | 'stderr') => void);
  consoleStreams?: { stdout: Writable; stderr: Writable };
  warn: (line: string) => void;
  stderrTailLines?: number;
}

export function relayCommandOutput(options: CommandOutputOptions) {
  const log = createWriteStream(options.logPath, { flags: 'a' });
  const tail: string[] = [];
  let metricLines = 0;
  let lines = 0;
  const pipe = (stream: Readable, name: 'stdout' | 'stderr') =>
    new Promise<void>((done) => {
      let rest = '';
      const line = (text: string) => {
        if (name === 'stdout' && text.startsWith(METRIC_LINE_PREFIX)) {
          const { step, ...values } = JSON.parse(text.slice(METRIC_LINE_PREFIX.length)) as Record<string, number>;
          options.metrics.log(values, step === undefined ? {} : { step });
          metricLines++;
          return;
        }
        lines++;
        log.write(`${text}\n`);
        if (name === 'stderr') {
          tail.push(text);
          if (tail.length > (options.stderrTailLines ?? 20)) tail.shift();
        }
        if (options.console === 'inherit') (name === 'stdout' ? process.stdout : process.stderr).write(`${text}\n`);
        else options.console(text, name);
      };
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => {
        const parts = (rest + chunk).split('\n');
        rest = parts.pop()!;
        for (const p of parts) line(p);
      });
      stream.on('end', () => {
        if (rest) line(rest);
        done();
      });
    });
  const done = Promise.all([pipe(options.stdout, 'stdout'), pipe(options.stderr, 'stderr')]).then(
    () => new Promise<void>((resolve) => log.end(() => resolve())),
  );
  return { done, stderrTail: () => [...tail], counts: () => ({ metricLines, badMetricLines: 0, lines }) };
}
