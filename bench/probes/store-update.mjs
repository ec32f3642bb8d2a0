/**
 * What keeping the run index current costs after one new run, in one process (no start-up to
 * blur it): a warm `runs best` (open the store, query, write the index) against the same right
 * after one finished run was added to the newest directory at the top of `outputs/`. Prints
 * JSON: medians of REPS of each, and of the difference within each pair, in ms.
 *
 * usage: node store-update.mjs ROOT [REPS]
 */
import { cpSync, readdirSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const [root, repsText = '5'] = process.argv.slice(2);
const reps = Number(repsText);
const { openStore, queryRuns } = await import(pathToFileURL(join(import.meta.dirname, '..', '..', 'dist', 'bundle', 'index.js')).href);

const best = () => {
  // Run with --expose-gc: collecting first keeps a collection left over from the last call out of this one.
  globalThis.gc?.();
  const t0 = performance.now();
  const store = openStore([], { cwd: root });
  const found = queryRuns(store, 'status = completed', { cwd: root, sort: 'val_loss.min', limit: 1 });
  store.flush();
  if (found.runs.length !== 1) throw new Error(`no best run under ${root}`);
  return performance.now() - t0;
};
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const outputs = join(root, 'outputs');
const newest = join(
  outputs,
  readdirSync(outputs)
    .filter((n) => !n.startsWith('.'))
    .sort()
    .at(-1),
);
const template = join(newest, readdirSync(newest, { withFileTypes: true }).find((e) => e.isDirectory())?.name ?? '');
// Older than the index's two-second window, so the new run is written into it at once.
const old = new Date(Date.now() - 60_000);

best();
best();
const warm = [];
const update = [];
for (let i = 0; i < reps; i++) {
  warm.push(best());
  const dir = join(newest, `added-${process.pid}-${i}`);
  cpSync(template, dir, { recursive: true });
  for (const d of [join(dir, '.trellis'), dir, newest]) utimesSync(d, old, old);
  update.push(best());
}
const extra = update.map((ms, i) => ms - warm[i]);
console.log(JSON.stringify({ warmMs: median(warm), afterNewRunMs: median(update), updateMs: median(extra), shardRuns: readdirSync(newest).length }));
