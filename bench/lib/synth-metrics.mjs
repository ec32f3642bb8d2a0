/**
 * Metrics for the TensorBoard export benchmark: every run of `generateRuns` gets a metrics.jsonl of
 * `steps` rows of the same 10 metrics, as MetricsLog writes them. Deterministic.
 */
import { readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateRuns } from './synth-runs.mjs';

export const METRIC_NAMES = ['loss', 'acc', 'val_loss', 'val_acc', 'lr', 'grad_norm', 'w_norm', 'tokens', 'epoch_frac', 'throughput'];

/** Run directories under root (those with .trellis/run.json), found by walking. */
function runDirs(root, out = []) {
  for (const e of readdirSync(root, { withFileTypes: true })) {
    if (!e.isDirectory() || e.name === '.trellis') continue;
    const dir = join(root, e.name);
    if (statSync(join(dir, '.trellis', 'run.json'), { throwIfNoEntry: false })) out.push(dir);
    else runDirs(dir, out);
  }
  return out;
}

export function generateMetricRuns(root, runs, steps) {
  generateRuns(root, runs);
  const dirs = runDirs(root);
  let bytes = 0;
  dirs.forEach((dir, r) => {
    const lines = [];
    const t0 = 1795168800 + r * 60;
    for (let step = 0; step < steps; step++) {
      let line = `{"step":${step},"time":${t0 + step * 0.05}`;
      for (let k = 0; k < METRIC_NAMES.length; k++) line += `,"${METRIC_NAMES[k]}":${1 / (step + k + r + 1)}`;
      lines.push(`${line}}\n`);
    }
    const text = lines.join('');
    bytes += text.length;
    writeFileSync(join(dir, '.trellis', 'metrics.jsonl'), text);
  });
  return { runs: dirs.length, values: dirs.length * steps * METRIC_NAMES.length, bytes };
}
