/**
 * A starter experiment: fit a polynomial to noisy points of y = 0.5 + 2x − x².
 *
 *   npm start                                    one run into outputs/<date>/<time>/
 *   npm start -- model=quadratic optimizer=momentum epochs=500
 *   npm start -- --cfg job --resolve             print the config instead of running
 *   npm run sweep                                every model × optimizer
 */
import { pathToFileURL } from 'node:url';
import { defineApp, instantiate } from 'trellis';
import { z } from 'zod';
import type { Point, Polynomial } from './models.js';

export const schema = z.strictObject({
  seed: z.number().int().nonnegative(),
  epochs: z.number().int().positive(),
  points: z.number().int().min(2),
  noise: z.number().nonnegative(),
  model: z.strictObject({ _target_: z.string(), degree: z.number().int().min(0) }),
  optimizer: z.discriminatedUnion('name', [
    z.strictObject({ name: z.literal('sgd'), lr: z.number().positive() }),
    z.strictObject({ name: z.literal('momentum'), lr: z.number().positive(), beta: z.number().min(0).lt(1) }),
  ]),
});

export const app = defineApp({ name: 'fit', schema }, async (cfg, run) => {
  const rng = run.rng('data');
  const data: Point[] = Array.from({ length: cfg.points }, (_, i) => {
    const x = -1 + (2 * i) / (cfg.points - 1);
    return { x, y: 0.5 + 2 * x - x * x + cfg.noise * rng.normal() };
  });
  const model = await instantiate<Polynomial>(cfg.model);
  const beta = cfg.optimizer.name === 'momentum' ? cfg.optimizer.beta : 0;
  let velocity = model.coefficients.map(() => 0);
  for (let epoch = 1; epoch <= cfg.epochs; epoch++) {
    const gradient = model.gradient(data);
    velocity = velocity.map((v, k) => beta * v + gradient[k]!);
    model.coefficients = model.coefficients.map((c, k) => c - cfg.optimizer.lr * velocity[k]!);
    run.log({ loss: model.loss(data) }, { step: epoch });
  }
  run.logger.info(`coefficients: ${model.coefficients.map((c) => c.toFixed(3)).join(', ')}`);
  return { loss: model.loss(data) };
});

// Run when started as a script (not when imported by tests).
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await app.main();
}
