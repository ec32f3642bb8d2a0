/**
 * TensorBoard: exporting runs (values per second, against reading and parsing the same
 * metrics.jsonl files), and what the sink adds to `run.log` (against run.log without it).
 */
import { cpSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { generateMetricRuns } from '../lib/synth-metrics.mjs';
import { ROOT, median, probe, removeDir, row, tempDir } from '../lib/util.mjs';

export const title = 'TensorBoard';

const STEPS = 1000;

function exportRows({ reps, quick }) {
  const runs = quick ? 100 : 1000;
  const dir = tempDir('tensorboard-export');
  try {
    const data = generateMetricRuns(join(dir, 'runs'), runs, STEPS);
    const results = Array.from({ length: quick ? 1 : Math.max(3, Math.ceil(reps / 4)) }, () => {
      const r = probe('tensorboard-export.mjs', [join(dir, 'runs'), join(dir, 'tb')]);
      removeDir(join(dir, 'tb'));
      if (r.values !== data.values || r.baselineValues !== data.values) throw new Error(`export wrote ${r.values} of ${data.values} values`);
      return r;
    });
    const rate = median(results.map((r) => r.values / (r.exportMs / 1000)));
    const baseRate = median(results.map((r) => r.baselineValues / (r.baselineMs / 1000)));
    const cpuRate = median(results.map((r) => r.values / (r.exportCpuMs / 1000)));
    return [
      row({
        id: 'tensorboard.export',
        name: `export ${data.runs.toLocaleString('en-US')} runs × 10 metrics × ${STEPS.toLocaleString('en-US')} steps to TensorBoard`,
        value: rate,
        unit: 'scalars/s',
        baseline: baseRate,
        baselineName: 'reading every metrics.jsonl + JSON.parse of each line',
        target: '≥ 1,000,000 values/s',
        pass: rate >= 1_000_000,
        note: `${data.values.toLocaleString('en-US')} values, ${(data.bytes / 2 ** 20).toFixed(0)} MiB of metrics.jsonl; per CPU second ${(cpuRate / 1e6).toFixed(2)} M/s; in-process (exportRuns), without the CLI's start-up`,
      }),
    ];
  } finally {
    removeDir(dir);
  }
}

function sinkRows({ reps, quick }) {
  const dir = tempDir('tensorboard-sink');
  try {
    cpSync(join(ROOT, 'conf'), join(dir, 'conf'), { recursive: true });
    mkdirSync(join(dir, 'outputs'));
    const calls = quick ? '50000' : '200000';
    const plain = [];
    const tb = [];
    // Interleaved, so drift in machine load hits both alike.
    for (let i = 0; i < Math.max(3, Math.ceil(reps / 2)); i++) {
      plain.push(probe('tensorboard-sink.mjs', [calls, 'plain'], { cwd: dir }));
      tb.push(probe('tensorboard-sink.mjs', [calls, 'tb'], { cwd: dir }));
      removeDir(join(dir, 'outputs'));
    }
    const plainMs = median(plain.map((r) => r.logMs));
    const tbMs = median(tb.map((r) => r.logMs));
    const { scalars, eventBytes } = tb[0];
    const plainCpu = median(plain.map((r) => r.cpuMs));
    const tbCpu = median(tb.map((r) => r.cpuMs));
    return [
      row({
        id: 'tensorboard.sink',
        name: 'run.log with the TensorBoard sink, 10 scalars per call',
        value: tbMs,
        unit: 'ms',
        baseline: plainMs,
        baselineName: 'run.log without the sink',
        target: '≤ 1.2× baseline',
        pass: tbMs <= 1.2 * plainMs,
        note: `${scalars.toLocaleString('en-US')} scalars; ${(eventBytes / 2 ** 20).toFixed(1)} MiB of events besides metrics.jsonl; the job's thread only: the sink follows metrics.jsonl on the supervisor's`,
      }),
      row({
        id: 'tensorboard.sink.cpu',
        name: 'the same run, CPU time of the whole process',
        value: tbCpu,
        unit: 'ms',
        baseline: plainCpu,
        baselineName: 'the same without the sink',
        target: '(report)',
        pass: null,
        note: "from the job's start until the run is recorded: logging, the sink's conversion of metrics.jsonl, the final records",
      }),
    ];
  } finally {
    removeDir(dir);
  }
}

export async function run(settings) {
  const quick = settings.reps < 5;
  return [...sinkRows({ ...settings, quick }), ...exportRows({ ...settings, quick })];
}
