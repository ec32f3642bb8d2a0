/**
 * The TensorBoard export of every run under ROOT, in-process (the CLI's code path without its
 * start-up), and the baseline in the same process: reading every metrics.jsonl and JSON.parse of
 * each line, the least any exporter must do. Prints JSON: ms and CPU ms of both, values written.
 * Usage: node tensorboard-export.mjs ROOT TO
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DIST } from '../lib/util.mjs';

const [root, to] = process.argv.slice(2);
const load = (path) => import(pathToFileURL(join(DIST, 'src', path)).href);
const { openStore } = await load('store/open-store.js');
const { exportRuns } = await load('bridges/tensorboard/export-runs.js');

const time = (fn) => {
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  const result = fn();
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const c = process.cpuUsage(c0);
  return { result, ms, cpuMs: (c.user + c.system) / 1000 };
};

const store = openStore([root], { index: false });
const baseline = time(() => {
  let values = 0;
  for (const run of store.runs) {
    const text = readFileSync(join(run.dir, '.trellis', 'metrics.jsonl'), 'utf8');
    for (const line of text.split('\n')) if (line) values += Object.keys(JSON.parse(line)).length - 2;
  }
  return values;
});
const exported = time(() => exportRuns(store.runs, to));
const out = {
  runs: store.runs.length,
  values: exported.result.scalars,
  baselineValues: baseline.result,
  exportMs: exported.ms,
  exportCpuMs: exported.cpuMs,
  baselineMs: baseline.ms,
  baselineCpuMs: baseline.cpuMs,
};
process.stdout.write(`${JSON.stringify(out)}\n`);
