/**
 * The Hydra import baseline: what any importer must do at least. Walks ROOT for `.hydra/`
 * folders and reads config.yaml, hydra.yaml, overrides.yaml and the job log of each, parsing
 * overrides.yaml; writes nothing. Prints the number of runs found.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

let runs = 0;
const walk = (dir, depth) => {
  if (depth > 6) return;
  const entries = readdirSync(dir, { withFileTypes: true });
  if (entries.some((e) => e.name === '.hydra' && e.isDirectory())) {
    for (const f of ['config.yaml', 'hydra.yaml']) readFileSync(join(dir, '.hydra', f), 'utf8');
    parse(readFileSync(join(dir, '.hydra', 'overrides.yaml'), 'utf8'));
    readFileSync(join(dir, 'my_app.log'), 'utf8');
    runs++;
    return;
  }
  for (const e of entries) if (e.isDirectory() && !e.name.startsWith('.')) walk(join(dir, e.name), depth + 1);
};
for (const root of process.argv.slice(2)) walk(root, 0);
console.log(JSON.stringify({ runs }));
