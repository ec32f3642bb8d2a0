/** compose() in-process: the demo config with 3 overrides (optimizer=adam model=mlp trainer.epochs=50). */
import { ROOT, probe, row } from '../lib/util.mjs';

export const title = 'Compose in-process';

export async function run({ reps }) {
  // A few fresh processes; each reports medians over 15 batches of 100 calls. Median of those.
  const results = Array.from({ length: Math.max(3, Math.ceil(reps / 3)) }, () => probe('compose.mjs', [ROOT]));
  const med = (pick) => {
    const v = results.map(pick).sort((a, b) => a - b);
    return v[v.length >> 1];
  };
  const base = med((r) => r.baseline.median);
  const fresh = med((r) => r.fresh.median);
  const shared = med((r) => r.shared.median);
  const first = med((r) => r.fresh.first);
  const common = { unit: 'ms', baseline: base, baselineName: 'read + yaml.parse of the 5 files', target: '≤ 1 ms' };
  return [
    row({
      id: 'compose.fresh',
      name: 'composeFromDir, new repository per call',
      value: fresh,
      ...common,
      pass: fresh <= 1,
      note: `files read + parsed every call (as each job does); first call in a process ${first.toFixed(2)} ms`,
    }),
    row({
      id: 'compose.shared',
      name: 'compose(), one shared repository',
      value: shared,
      ...common,
      pass: shared <= 1,
      note: 'file loads cached by the repository after the first call',
    }),
  ];
}
