/** instantiate() of a 50-node config (module and registered targets), warm. */
import { probe, row } from '../lib/util.mjs';

export const title = 'Instantiate';

export async function run({ reps }) {
  // A few fresh processes; each reports medians over 15 batches of 20 calls. Median of those.
  const results = Array.from({ length: Math.max(3, Math.ceil(reps / 3)) }, () => probe('instantiate.mjs'));
  const med = (pick) => {
    const v = results.map(pick).sort((a, b) => a - b);
    return v[v.length >> 1];
  };
  const warm = med((r) => r.instantiate.median);
  const first = med((r) => r.instantiate.first);
  return [
    row({
      id: 'instantiate.warm',
      name: 'instantiate, 50-node config, warm',
      value: warm,
      unit: 'ms',
      baseline: med((r) => r.baseline.median),
      baselineName: 'the same 50 objects built by direct calls',
      target: '≤ 20 ms',
      pass: warm <= 20,
      note: `first call in a process (imports the module) ${first.toFixed(2)} ms`,
    }),
  ];
}
