/**
 * Metric logging through `run.log` of a real app run (MetricsLog underneath), in a fresh process
 * started in a temp project (cwd). Logs CALLS calls of 10 scalars each, then writes the very bytes
 * that produced (metrics.jsonl, read back) with fs.writeSync in 64 KiB chunks, the same chunking
 * MetricsLog uses. Prints JSON: times, scalars, bytes, RSS before / peak during logging.
 */
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { defineApp } from 'trellis';

const CALLS = Number(process.argv[2] ?? 200_000);
const NAMES = ['loss', 'acc', 'val_loss', 'val_acc', 'lr', 'grad_norm', 'w_norm', 'tokens', 'epoch_frac', 'throughput'];
const out = { calls: CALLS, scalars: CALLS * NAMES.length };

const app = defineApp({ name: 'metrics', configDir: 'conf', configName: 'config' }, async (_cfg, run) => {
  globalThis.gc?.();
  out.rssBeforeMB = process.memoryUsage().rss / 2 ** 20;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < CALLS; i++) {
    const values = {};
    for (let k = 0; k < NAMES.length; k++) values[NAMES[k]] = 1 / (i + k + 1);
    run.log(values, { step: i });
  }
  out.logMs = Number(process.hrtime.bigint() - t0) / 1e6;
  out.peakRssMB = process.resourceUsage().maxRSS / 1024;
  return { ok: 1 };
});
const result = await app.run([]);
if (result.status !== 'completed') throw new Error(`run failed: ${String(result.error)}`);

const data = readFileSync(join(result.dir, '.trellis', 'metrics.jsonl'));
out.bytes = data.length;
const lines = data.toString('utf8').trimEnd().split('\n').length;
if (lines !== CALLS) throw new Error(`expected ${CALLS} lines, found ${lines}`);
const fd = openSync(join(result.dir, 'baseline.jsonl'), 'a');
const CHUNK = 64 * 1024;
const t1 = process.hrtime.bigint();
for (let offset = 0; offset < data.length; offset += CHUNK) writeSync(fd, data, offset, Math.min(CHUNK, data.length - offset));
out.writeMs = Number(process.hrtime.bigint() - t1) / 1e6;
closeSync(fd);
process.stdout.write(`${JSON.stringify(out)}\n`);
