/**
 * Metrics lines through a command job's stdout: a real child (`node -e`) prints N lines
 * `@trellis {"step":i,"loss":…}` in 64 KiB writes, and `relayCommandOutput` (from the built
 * dist/) turns them into metrics.jsonl rows, which are counted afterwards: none may be lost.
 * MODE `drain` is the baseline: the same child, its stdout read and dropped; `devnull`: the same
 * child printing to /dev/null. Prints JSON: wall ms from spawn to the end, lines, parent CPU ms.
 * The child writes Buffers: a string built with += costs Node 20 more to write to a pipe than
 * everything else here (2.8 s against 1.1 s for these 10^6 lines), which would hide the relay.
 * Usage: node command-output.mjs N relay|drain|devnull WORKDIR
 */
import { spawn } from 'node:child_process';
import { closeSync, openSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { relayCommandOutput } from '../../dist/src/job/command-output.js';
import { MetricsLog } from '../../dist/src/run/metrics.js';

const N = Number(process.argv[2] ?? 1_000_000);
const MODE = process.argv[3] ?? 'relay';
const DIR = process.argv[4];
const CHILD = `let s = '';
for (let i = 0; i < ${N}; i++) {
  s += '@trellis {"step":' + i + ',"loss":' + 1 / (i + 1) + '}\\n';
  if (s.length > 65536) { process.stdout.write(Buffer.from(s)); s = ''; }
}
process.stdout.write(s);`;

/** Lines in a file, read in chunks: the metrics file of 10^6 rows is not held whole. */
function countLines(path) {
  const fd = openSync(path, 'r');
  const buffer = Buffer.alloc(1 << 20);
  let lines = 0;
  for (let n; (n = readSync(fd, buffer, 0, buffer.length, null)) > 0;) {
    for (let i = buffer.indexOf(10); i !== -1 && i < n; i = buffer.indexOf(10, i + 1)) lines++;
  }
  closeSync(fd);
  return lines;
}

const exited = (child) =>
  new Promise((resolve, reject) => child.on('error', reject).on('close', (code) => (code === 0 ? resolve() : reject(new Error(`child exited ${code}`)))));

const cpu0 = process.cpuUsage();
const t0 = process.hrtime.bigint();
if (MODE === 'devnull') {
  await exited(spawn(process.execPath, ['-e', CHILD], { stdio: ['ignore', 'ignore', 'inherit'] }));
} else if (MODE === 'drain') {
  const child = spawn(process.execPath, ['-e', CHILD], { stdio: ['ignore', 'pipe', 'inherit'] });
  child.stdout.resume();
  await exited(child);
} else {
  const child = spawn(process.execPath, ['-e', CHILD], { stdio: ['ignore', 'pipe', 'pipe'] });
  const metrics = new MetricsLog(join(DIR, 'metrics.jsonl'));
  const devnull = () => new Writable({ write: (_chunk, _encoding, callback) => callback() });
  const output = relayCommandOutput({
    stdout: child.stdout,
    stderr: child.stderr,
    metrics,
    logPath: join(DIR, 'job.log'),
    console: 'inherit',
    consoleStreams: { stdout: devnull(), stderr: devnull() },
    warn: (line) => process.stderr.write(`${line}\n`),
  });
  await Promise.all([output.done, exited(child)]);
  metrics.close();
  const rows = countLines(join(DIR, 'metrics.jsonl'));
  const { metricLines, lines } = output.counts();
  if (rows !== N || metricLines !== N || lines !== 0)
    throw new Error(`lost lines: ${N} printed, ${rows} rows in metrics.jsonl, ${metricLines} counted, ${lines} in the log`);
}
const ms = Number(process.hrtime.bigint() - t0) / 1e6;
const cpu = process.cpuUsage(cpu0);
process.stdout.write(`${JSON.stringify({ mode: MODE, lines: N, ms, cpuMs: (cpu.user + cpu.system) / 1000 })}\n`);
