/**
 * Tab completion: p95 wall time of one TAB (a query process) on the demo, for trellis's own
 * command line and for the demo app (examples/train.ts), against `node -e 0`. An app's TAB is
 * what its installed script runs: trellis's CLI with `--app SCRIPT`, which answers from what the
 * app recorded at its first query; the app's own query (the first TAB) is measured beside it.
 */
import { join } from 'node:path';
import { CLI, DIST, NODE, ROOT, interleave, median, removeDir, row, tempDir, timeSpawnOk } from '../lib/util.mjs';

export const title = 'tab completion';

function p95(values) {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(0.95 * s.length) - 1)];
}

// The targets were set against a 50 ms `node -e 0`; on a slower or busier machine they scale with it.
const NODE_REFERENCE_MS = 50;

export async function run({ reps }) {
  const cache = tempDir('completion-cache');
  const app = join(DIST, 'examples', 'train.js');
  const query = (line, args) => () => timeSpawnOk([NODE, ...args], { cwd: ROOT, env: { ...process.env, COMP_LINE: line, XDG_CACHE_HOME: cache } }).ms;
  const trellis = (words) => query(`trellis ${words}`, [CLI, 'completion', 'bash', '--query']);
  const demo = (words) => query(`node dist/examples/train.js ${words}`, [CLI, 'completion', 'bash', '--query', '--app', app]);
  const demoItself = (words) => query(`node dist/examples/train.js ${words}`, [app, '--shell-completion', 'query=bash']);
  try {
    // The first query of each line fills the cache (warmup); the measured ones read it, as every TAB after the first does.
    const samples = interleave(
      {
        node: () => timeSpawnOk([NODE, '-e', '0'], { cwd: ROOT }).ms,
        groups: trellis('compose '),
        options: trellis('compose optimizer='),
        keys: trellis('compose optimizer=adam optimizer.'),
        values: trellis('compose optimizer.lr='),
        appOptions: demo('optimizer='),
        appKeys: demo('optimizer.'),
        appFirst: demoItself('optimizer.'),
      },
      { reps: Math.max(20, reps * 3), warmup: 2 },
    );
    const base = p95(samples.node);
    const rowOf = (id, name, names, targetMs, note) => {
      const all = names.flatMap((n) => samples[n]);
      const value = p95(all);
      const limit = (targetMs / NODE_REFERENCE_MS) * base;
      return row({
        id,
        name,
        value,
        unit: 'ms',
        baseline: base,
        baselineName: 'node -e 0 (p95)',
        target: `p95 ≤ ${targetMs} ms at a 50 ms node -e 0 (≤ ${(targetMs / NODE_REFERENCE_MS).toFixed(1)}×)`,
        pass: value <= limit,
        note: `${note}; medians ${names.map((n) => `${n} ${median(samples[n]).toFixed(0)} ms`).join(', ')}; ${all.length} samples`,
        samples: all,
      });
    };
    return [
      rowOf('completion.groups', 'trellis: groups and options', ['groups', 'options'], 120, '`trellis compose <TAB>` and `optimizer=<TAB>`'),
      rowOf('completion.keys', 'trellis: keys and values', ['keys', 'values'], 150, '`optimizer=adam optimizer.<TAB>` and `optimizer.lr=<TAB>`'),
      rowOf(
        'completion.app.groups',
        'demo app: options',
        ['appOptions'],
        120,
        'node dist/examples/train.js optimizer=<TAB>: answered by trellis from what the app recorded',
      ),
      rowOf(
        'completion.app.keys',
        'demo app: keys with schema',
        ['appKeys'],
        150,
        'node dist/examples/train.js optimizer.<TAB>: answered by trellis from the recorded schema',
      ),
      row({
        id: 'completion.app.first',
        name: 'demo app: first TAB',
        value: p95(samples.appFirst),
        unit: 'ms',
        baseline: base,
        baselineName: 'node -e 0 (p95)',
        note: `the app's own query (imports zod and the dataset, converts the schema), which the first TAB and an edited script pay; median ${median(samples.appFirst).toFixed(0)} ms`,
        samples: samples.appFirst,
      }),
    ];
  } finally {
    removeDir(cache);
  }
}
