/**
 * instantiate() of a 50-node config in a fresh process: a Net whose 48 layers alternate between a
 * module target (./models.mjs:Linear, in a temp project) and a registered one (relu), plus an
 * optimizer registered under its Python name (torch.optim.Adam). Prints JSON: ms per call for
 * the first call (the module is imported then) and warm calls, and for the baseline: the same
 * 50 objects built by direct calls.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { TargetRegistry, instantiate } from 'trellis';

const root = mkdtempSync(join(tmpdir(), 'trellis-bench-instantiate-'));
writeFileSync(
  join(root, 'models.mjs'),
  [
    'export class Linear { constructor({ inputs, outputs, bias }) { Object.assign(this, { inputs, outputs, bias }); } }',
    'export class Net { constructor({ layers, optimizer }) { this.layers = layers; this.optimizer = optimizer; } }',
    '',
  ].join('\n'),
);
const models = await import(pathToFileURL(join(root, 'models.mjs')).href);
const relu = ({ slope }) => ({ kind: 'relu', slope });
const adam = ({ lr, betas }) => ({ kind: 'adam', lr, betas });
const registry = new TargetRegistry().register('relu', relu).register('torch.optim.Adam', adam);

const LAYERS = 48;
const config = {
  _target_: './models.mjs:Net',
  layers: Array.from({ length: LAYERS }, (_, i) =>
    i % 2 === 0 ? { _target_: './models.mjs:Linear', inputs: 64, outputs: 64, bias: true } : { _target_: 'relu', slope: 0.01 },
  ),
  optimizer: { _target_: 'torch.optim.Adam', lr: 0.001, betas: [0.9, 0.999] },
};

const variants = {
  baseline: () =>
    new models.Net({
      layers: Array.from({ length: LAYERS }, (_, i) => (i % 2 === 0 ? new models.Linear({ inputs: 64, outputs: 64, bias: true }) : relu({ slope: 0.01 }))),
      optimizer: adam({ lr: 0.001, betas: [0.9, 0.999] }),
    }),
  instantiate: () => instantiate(config, {}, { root, registry }),
};

/** Median over `rounds` of the mean time of `batch` calls, after `warmup` calls. */
async function measure(fn, { warmup = 50, rounds = 15, batch = 20 } = {}) {
  const t0 = process.hrtime.bigint();
  await fn();
  const first = Number(process.hrtime.bigint() - t0) / 1e6;
  for (let i = 0; i < warmup; i++) await fn();
  const means = [];
  for (let r = 0; r < rounds; r++) {
    const t = process.hrtime.bigint();
    for (let i = 0; i < batch; i++) await fn();
    means.push(Number(process.hrtime.bigint() - t) / 1e6 / batch);
  }
  means.sort((a, b) => a - b);
  return { first, median: means[means.length >> 1], min: means[0], max: means.at(-1) };
}

try {
  // Check it builds what we think before timing it: 50 targets.
  const net = await variants.instantiate();
  const built = net.layers.length + 2;
  if (!(net instanceof models.Net) || built !== 50 || !(net.layers[0] instanceof models.Linear) || net.optimizer.kind !== 'adam')
    throw new Error('unexpected result');
  const out = { nodes: built };
  for (const [name, fn] of Object.entries(variants)) out[name] = await measure(fn);
  process.stdout.write(`${JSON.stringify(out)}\n`);
} finally {
  rmSync(root, { recursive: true, force: true });
}
