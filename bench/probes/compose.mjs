/**
 * In-process compose of the demo config with 3 overrides, in a fresh process.
 * Prints JSON: ms per call for composeFromDir (a new repository per call: every file read and
 * parsed again, as a launcher recomposing a job does), for compose() with one shared repository
 * (file loads cached after the first call), and for the baseline: reading and parsing the same
 * five YAML files with the `yaml` package (parse only: no positions, no merging).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { compose, composeFromDir, openConfigDir } from 'trellis';

const confRoot = process.argv[2];
const overrides = ['optimizer=adam', 'model=mlp', 'trainer.epochs=50'];
const files = ['config.yaml', 'model/mlp.yaml', 'optimizer/adam.yaml', 'dataset/iris.yaml', 'trainer/default.yaml'].map((f) => join(confRoot, 'conf', f));

const variants = {
  baseline: () => {
    for (const f of files) parse(readFileSync(f, 'utf8'));
  },
  fresh: () => composeFromDir({ configDir: 'conf', configName: 'config', overrides, cwd: confRoot }),
  shared: (() => {
    const repo = openConfigDir('conf', 'config', confRoot);
    return () => compose({ repo, configName: 'config', overrides });
  })(),
};

/** Median over `rounds` of the mean time of `batch` calls, after `warmup` calls. */
function measure(fn, { warmup = 300, rounds = 15, batch = 100 } = {}) {
  const t0 = process.hrtime.bigint();
  fn();
  const first = Number(process.hrtime.bigint() - t0) / 1e6;
  for (let i = 0; i < warmup; i++) fn();
  const means = [];
  for (let r = 0; r < rounds; r++) {
    const t = process.hrtime.bigint();
    for (let i = 0; i < batch; i++) fn();
    means.push(Number(process.hrtime.bigint() - t) / 1e6 / batch);
  }
  means.sort((a, b) => a - b);
  return { first, median: means[means.length >> 1], min: means[0], max: means.at(-1) };
}

// Check it composes what we think before timing it.
const c = variants.fresh();
const opt = c.config.entries.get('optimizer').node.entries.get('name').node.value;
if (opt !== 'adam') throw new Error(`unexpected optimizer ${opt}`);

const out = {};
for (const [name, fn] of Object.entries(variants)) out[name] = measure(fn);
process.stdout.write(`${JSON.stringify(out)}\n`);
