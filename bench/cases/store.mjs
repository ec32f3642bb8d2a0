/**
 * Run store over 10,000 synthetic run directories: `trellis runs best` and a filtered
 * `trellis runs list`, cold (no index: anything the store wrote since the data was generated is
 * removed, and XDG_CACHE_HOME points at an emptied temp dir) and warm (after one unmeasured run).
 * Baseline: a naive scan in a fresh Node process (bench/probes/store-scan.mjs). When the `runs`
 * command does not exist yet, the rows say "not available".
 */
import { rmSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { generateRuns, listTree } from '../lib/synth-runs.mjs';
import { BENCH_DIR, CLI, NODE, median, removeDir, row, tempDir, timeSpawn } from '../lib/util.mjs';

export const title = 'Run store';
const RUNS = 10_000;
const TIMEOUT_MS = 60_000;

const COMMANDS = {
  best: (root) => ['runs', 'best', '--metric', 'val_loss', '--mode', 'min', root],
  list: (root) => ['runs', 'list', root, 'optimizer.name = adam', '--limit', '10'],
};

/** 'ok' | 'missing' (no such command) | an error line. */
function availability(env) {
  const r = timeSpawn([NODE, CLI, 'runs', '--help'], { env });
  if (r.status === 0) return 'ok';
  const text = `${r.stderr}\n${r.stdout}`;
  if (/Unknown command 'runs'/.test(text) || r.status === 2) return 'missing';
  return text.trim().split('\n')[0] ?? `exit ${r.status}`;
}

export async function run({ reps }) {
  const tmp = tempDir('store');
  const root = join(tmp, 'project');
  const cache = join(tmp, 'cache');
  const env = { ...process.env, XDG_CACHE_HOME: cache, NO_COLOR: '1' };
  try {
    const status = availability(env);
    const rows = [];
    const label = { best: 'runs best --metric val_loss (10,000 runs)', list: "runs list 'optimizer.name = adam' --limit 10" };
    const t0 = performance.now();
    const expected = generateRuns(root, RUNS);
    const genMs = performance.now() - t0;
    const pristine = listTree(root);

    const baselineSamples = [];
    for (let i = 0; i < Math.max(3, Math.ceil(reps / 3)); i++) {
      const r = timeSpawn([NODE, join(BENCH_DIR, 'probes', 'store-scan.mjs'), root], { env });
      const out = JSON.parse(r.stdout);
      if (out.runs !== RUNS || out.best.value !== expected.bestValLoss) throw new Error(`store baseline scan found ${out.runs} runs, best ${out.best.value}`);
      baselineSamples.push(r.ms);
    }
    const base = median(baselineSamples);
    const common = { unit: 'ms', baseline: base, baselineName: 'naive scan of run.json + summary.json' };

    const genRow = row({
      id: 'store.generate',
      name: `generate ${RUNS.toLocaleString('en-US')} synthetic runs`,
      value: genMs,
      unit: 'ms',
      target: '(setup)',
      pass: null,
      note: '15 files per run, ~40% of them sweep jobs',
    });
    if (status !== 'ok') {
      for (const [name, text] of Object.entries(label)) {
        for (const mode of ['cold', 'warm']) {
          rows.push(
            row({
              id: `store.${name}.${mode}`,
              name: `${text}, ${mode}`,
              ...common,
              target: mode === 'cold' ? '≤ 2 s' : '≤ 200 ms',
              pass: null,
              note: status === 'missing' ? 'not available: no `trellis runs` command yet' : `not available: ${status}`,
            }),
          );
        }
      }
      return [...rows, genRow];
    }

    /** Removes whatever the store added (an index) under the data and in the cache dir. */
    const reset = () => {
      rmSync(cache, { recursive: true, force: true });
      mkdirSync(cache, { recursive: true });
      const now = [...listTree(root)].filter((p) => !pristine.has(p)).sort((a, b) => b.length - a.length);
      for (const p of now) rmSync(p, { recursive: true, force: true });
      return now.length;
    };
    const runCommand = (args) => {
      const r = timeSpawn([NODE, CLI, ...args], { env, timeout: TIMEOUT_MS });
      if (r.signal) return { ms: r.ms, error: `killed after ${(TIMEOUT_MS / 1000).toFixed(0)} s` };
      if (r.status !== 0) {
        const lines = (r.stderr || r.stdout).trim().split('\n');
        return { ms: r.ms, error: `exit ${r.status}: ${lines.find((l) => /error/i.test(l)) ?? lines[0]}` };
      }
      return { ms: r.ms, stdout: r.stdout };
    };

    for (const [name, make] of Object.entries(COMMANDS)) {
      const args = make(root);
      const cold = [];
      let error;
      let indexEntries = 0;
      for (let i = 0; i < 3 && !error; i++) {
        reset();
        const r = runCommand(args);
        if (r.error) error = r.error;
        else cold.push(r.ms);
        indexEntries = listTree(root).size - pristine.size;
        if (r.ms > 10_000) break; // far over target: one sample says enough, and keeps the bench short
      }
      const warm = [];
      if (!error) {
        runCommand(args); // builds or refreshes an index, if the store keeps one
        for (let i = 0; i < Math.max(5, reps >> 1) && !error; i++) {
          const r = runCommand(args);
          if (r.error) error = r.error;
          else warm.push(r.ms);
        }
      }
      if (error) {
        rows.push(row({ id: `store.${name}.cold`, name: `${label[name]}, cold`, ...common, target: '≤ 2 s', pass: false, note: `error: ${error}` }));
        rows.push(row({ id: `store.${name}.warm`, name: `${label[name]}, warm`, ...common, target: '≤ 200 ms', pass: false, note: `error: ${error}` }));
        continue;
      }
      const c = median(cold);
      const w = median(warm);
      rows.push(
        row({
          id: `store.${name}.cold`,
          name: `${label[name]}, cold`,
          value: c,
          ...common,
          target: '≤ 2 s',
          pass: c <= 2000,
          note: `no index; the store wrote ${indexEntries} new paths under the data`,
          samples: cold,
        }),
      );
      rows.push(row({ id: `store.${name}.warm`, name: `${label[name]}, warm`, value: w, ...common, target: '≤ 200 ms', pass: w <= 200, samples: warm }));
    }
    return [...rows, genRow];
  } finally {
    removeDir(tmp);
  }
}
