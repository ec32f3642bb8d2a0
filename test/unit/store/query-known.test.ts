import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runMain } from '../../helpers/main-io.js';
import { tmpDir } from '../../helpers/tmp-dir.js';
import { writeRun } from './synthetic-runs.js';

/** Two runs: adam/sgd with val_loss, and one config key (optimizer.momentum) only the second has. */
function twoRuns(): string {
  const root = tmpDir();
  writeRun(join(root, 'outputs/a'), {
    id: 'run-a',
    resolved: { optimizer: { name: 'adam', lr: 0.01 } },
    metrics: { val_loss: { last: 0.2, min: 0.1, max: 0.9 } },
  });
  writeRun(join(root, 'outputs/b'), {
    id: 'run-b',
    resolved: { optimizer: { name: 'sgd', lr: 0.1, momentum: 0.9 } },
    metrics: { val_loss: { last: 0.3, min: 0.3, max: 0.7 } },
  });
  return root;
}

describe('a field no run has is refused with exit 2 and a did-you-mean', () => {
  it.each([
    {
      name: 'misspelt config key',
      args: ['runs', 'list', 'optimizr.name = adam'],
      stderr: "query:1:1  USAGE\nNo run has a value for 'optimizr.name'\n",
      hint: "hint: did you mean 'optimizer.name'?",
    },
    {
      name: 'misspelt key after a good one',
      args: ['runs', 'list', 'optimizer.lr < 1 and optimizer.nme = adam'],
      stderr: "query:1:22  USAGE\nNo run has a value for 'optimizer.nme'\n",
      // optimizer.name at distance 1, optimizer.lr at 3, optimizer a prefix.
      hint: "hint: did you mean 'optimizer.name' or 'optimizer.lr' or 'optimizer'?",
    },
    {
      name: 'misspelt metric statistic',
      args: ['runs', 'list', 'val_los.min < 0.2'],
      stderr: "query:1:1  USAGE\nNo run has a value for 'val_los.min'\n",
      hint: "hint: did you mean 'val_loss.min' or 'val_loss.max'?",
    },
    {
      name: 'misspelt sort key',
      args: ['runs', 'list', '--sort=-val_los.min'],
      stderr: "USAGE\n--sort: no run has a value for 'val_los.min'\n",
      hint: "hint: did you mean 'val_loss.min' or 'val_loss.max'?",
    },
    {
      name: 'misspelt metric of best',
      args: ['runs', 'best', '--metric', 'val_los'],
      stderr: "USAGE\n--metric: no run has a value for 'val_los.min'\n",
      hint: "hint: did you mean 'val_loss.min' or 'val_loss.max'?",
    },
  ])('$name', async ({ args, stderr, hint }) => {
    const r = await runMain(args, twoRuns());
    expect(r.stderr.startsWith(stderr), r.stderr).toBe(true);
    expect(r.stderr).toContain(hint);
    expect(r.stdout).toBe('');
    expect(r.code).toBe(2);
  });

  it.each([
    { name: 'a key only one run has', args: ['runs', 'list', 'optimizer.momentum = 0.9', '--format', 'json'], ids: ['run-b'] },
    { name: 'a metric name alone', args: ['runs', 'list', 'val_loss < 0.25', '--format', 'json'], ids: ['run-a'] },
    { name: 'best by a known metric', args: ['runs', 'best', '--metric', 'val_loss', '--format', 'json'], ids: ['run-a'] },
  ])('known fields still answer: $name', async ({ args, ids }) => {
    const r = await runMain(args, twoRuns());
    expect(r.code, r.stderr).toBe(0);
    expect((JSON.parse(r.stdout) as Array<{ id: string }>).map((x) => x.id)).toEqual(ids);
  });

  it('an empty store has nothing to compare with, so the query answers nothing', async () => {
    const r = await runMain(['runs', 'list', 'optimizr.name = adam', '--format', 'json'], tmpDir());
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual([]);
  });
});
