/**
 * The demo job: fits a linear model (or a one-hidden-layer MLP) to synthetic data with SGD or
 * Adam. Everything random comes from `run.rng`, so a recorded run reproduces exactly.
 *
 *   npm start                                   # one run into outputs/<date>/<time>/
 *   npm start -- optimizer=adam optimizer.lr=0.02 trainer.epochs=50
 *   npm start -- --cfg job --resolve            # print the config instead of running
 */
import { z } from 'zod';
import { defineApp } from '../src/index.js';

const schema = z.strictObject({
  name: z.string().describe('a name for the experiment'),
  seed: z.number().int().nonnegative().describe('master seed; every derived seed is recorded'),
  tags: z.array(z.string()).default([]),
  model: z.object({
    name: z.enum(['linear', 'mlp']),
    features: z.number().int().positive(),
    hidden: z.number().int().positive().optional(),
    bias: z.boolean(),
  }),
  optimizer: z.discriminatedUnion('name', [
    z.object({ name: z.literal('sgd'), lr: z.number().positive(), momentum: z.number().min(0).max(1) }),
    z.object({ name: z.literal('adam'), lr: z.number().positive(), betas: z.tuple([z.number(), z.number()]) }),
  ]),
  dataset: z.object({ name: z.string(), samples: z.number().int().positive(), features: z.number().int().positive(), noise: z.number().nonnegative() }),
  trainer: z.object({ epochs: z.number().int().positive(), batch_size: z.number().int().positive(), log_every: z.number().int().positive() }),
});

export const app = defineApp({ name: 'train', configDir: 'conf', configName: 'config', schema }, async (cfg, run) => {
  const data = run.rng('data');
  const init = run.rng('init');
  const f = cfg.dataset.features;
  const trueWeights = Array.from({ length: f }, () => data.normal());
  const sample = () => {
    const x = Array.from({ length: f }, () => data.normal());
    const y = x.reduce((s, xi, i) => s + xi * trueWeights[i]!, 0) + 0.5 + cfg.dataset.noise * data.normal();
    return { x, y };
  };
  const train = Array.from({ length: cfg.dataset.samples }, sample);
  const val = Array.from({ length: Math.max(16, cfg.dataset.samples >> 2) }, sample);

  const hidden = cfg.model.name === 'mlp' ? (cfg.model.hidden ?? 16) : 0;
  // Parameters as one flat vector: linear = f weights + bias; mlp = f*h + h + h + 1.
  const size = hidden ? f * hidden + hidden + hidden + 1 : f + 1;
  const params = Array.from({ length: size }, () => 0.1 * init.normal());
  const predict = (x: number[]): number => {
    if (!hidden) return x.reduce((s, xi, i) => s + xi * params[i]!, cfg.model.bias ? params[f]! : 0);
    let out = params[size - 1]!;
    for (let j = 0; j < hidden; j++) {
      let a = params[f * hidden + j]!;
      for (let i = 0; i < f; i++) a += x[i]! * params[j * f + i]!;
      out += Math.tanh(a) * params[f * hidden + hidden + j]!;
    }
    return out;
  };
  const loss = (set: typeof train) => set.reduce((s, { x, y }) => s + (predict(x) - y) ** 2, 0) / set.length;
  // Numerical gradients keep the demo short; the models are tiny.
  const gradient = (batch: typeof train) =>
    params.map((p, k) => {
      const eps = 1e-5;
      params[k] = p + eps;
      const up = loss(batch);
      params[k] = p - eps;
      const down = loss(batch);
      params[k] = p;
      return (up - down) / (2 * eps);
    });

  const m = params.map(() => 0);
  const v = params.map(() => 0);
  let step = 0;
  for (let epoch = 1; epoch <= cfg.trainer.epochs; epoch++) {
    const order = data.shuffle(train);
    for (let start = 0; start < order.length; start += cfg.trainer.batch_size) {
      const g = gradient(order.slice(start, start + cfg.trainer.batch_size));
      step++;
      for (let k = 0; k < params.length; k++) {
        if (cfg.optimizer.name === 'sgd') {
          m[k] = cfg.optimizer.momentum * m[k]! + g[k]!;
          params[k]! -= cfg.optimizer.lr * m[k]!;
        } else {
          const [b1, b2] = cfg.optimizer.betas;
          m[k] = b1 * m[k]! + (1 - b1) * g[k]!;
          v[k] = b2 * v[k]! + (1 - b2) * g[k]! ** 2;
          const mHat = m[k]! / (1 - b1 ** step);
          const vHat = v[k]! / (1 - b2 ** step);
          params[k]! -= (cfg.optimizer.lr * mHat) / (Math.sqrt(vHat) + 1e-8);
        }
      }
    }
    const trainLoss = loss(train);
    run.log({ train_loss: trainLoss, epoch }, { step: epoch });
    if (epoch % cfg.trainer.log_every === 0 || epoch === cfg.trainer.epochs) {
      const valLoss = loss(val);
      run.log({ val_loss: valLoss }, { step: epoch });
      run.logger.info(`epoch ${epoch}: train_loss=${trainLoss.toFixed(4)} val_loss=${valLoss.toFixed(4)}`);
    }
  }
  const valLoss = loss(val);
  await run.saveArtifact('model.json', JSON.stringify({ model: cfg.model.name, params }));
  return { val_loss: valLoss };
});

// Run when started as a script (not when imported by tests).
if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  process.exitCode = await app.main();
}
