/**
 * The store baseline: the simplest correct `runs best` a user could write. Walks ROOT for
 * `.trellis/run.json`, reads run.json and summary.json of each, and prints the completed run with
 * the lowest val_loss (summary min). No index, no concurrency.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = process.argv[2];
let best = { value: Infinity, dir: null };
let runs = 0;
const walk = (dir, depth) => {
  if (depth > 6) return;
  const entries = readdirSync(dir, { withFileTypes: true });
  if (entries.some((e) => e.name === '.trellis' && e.isDirectory())) {
    let run;
    try {
      run = JSON.parse(readFileSync(join(dir, '.trellis', 'run.json'), 'utf8'));
    } catch {
      run = undefined;
    }
    if (run) {
      runs++;
      if (run.status === 'completed') {
        const summary = JSON.parse(readFileSync(join(dir, '.trellis', 'summary.json'), 'utf8'));
        const v = summary.metrics?.val_loss?.min;
        if (typeof v === 'number' && v < best.value) best = { value: v, dir };
      }
    }
  }
  for (const e of entries) if (e.isDirectory() && e.name !== '.trellis') walk(join(dir, e.name), depth + 1);
};
walk(root, 0);
process.stdout.write(`${JSON.stringify({ runs, best })}\n`);
