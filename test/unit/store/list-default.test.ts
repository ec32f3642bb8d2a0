import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runMain } from '../../helpers/main-io.js';
import { tmpDir } from '../../helpers/tmp-dir.js';
import { writeRun } from './synthetic-runs.js';

/** val_loss logged 10 times per run, lr 2 times: val_loss is the most-logged metric. */
function twoRuns(): string {
  const root = tmpDir();
  const overrides = ['optimizer=adam', 'optimizer.lr=0.001', 'model=mlp', 'model.hidden=64', 'trainer.epochs=200', 'dataset.val_fraction=0.3'];
  writeRun(join(root, 'outputs/2026-11-20/10-00-00'), {
    id: '20261120-100000-aaaaaa',
    overrides,
    metrics: { lr: { last: 0.1, min: 0.1, max: 0.1, count: 2 }, val_loss: { last: 0.25, min: 0.2, max: 0.9, count: 10 } },
  });
  writeRun(join(root, 'outputs/2026-11-20/11-00-00'), {
    id: '20261120-110000-bbbbbb',
    start: '2026-11-20T11:00:00.000Z',
    overrides,
    metrics: { lr: { last: 0.1, min: 0.1, max: 0.1, count: 2 }, val_loss: { last: 0.125, min: 0.1, max: 0.9, count: 10 } },
  });
  return root;
}

describe('runs list', () => {
  it('shows the most-logged metric by default', async () => {
    const r = await runMain(['runs', 'list'], twoRuns());
    expect(r.code, r.stderr).toBe(0);
    const [head, , first, second] = r.stdout.split('\n');
    expect(head!.split(/\s{2,}/)).toEqual(['id', 'status', 'started', 'duration', 'val_loss.last', 'overrides', 'dir']);
    expect(first).toMatch(/^20261120-110000-bbbbbb .* 0\.125 /);
    expect(second).toMatch(/^20261120-100000-aaaaaa .* 0\.25 /);
  });

  it('a query naming a metric shows that one instead', async () => {
    const r = await runMain(['runs', 'list', 'lr.max > 0'], twoRuns());
    expect(r.stdout.split('\n')[0]!.split(/\s{2,}/)).toEqual(['id', 'status', 'started', 'duration', 'lr.max', 'overrides', 'dir']);
  });

  it.each([{ columns: 60 }, { columns: 100 }])('fits a terminal $columns columns wide, cutting long cells with …', async ({ columns }) => {
    const r = await runMain(['runs', 'list'], twoRuns(), {}, columns);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(4);
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(columns);
    expect(lines[2]).toContain('…');
  });

  it('is not cut when stdout is no terminal', async () => {
    const r = await runMain(['runs', 'list'], twoRuns());
    expect(r.stdout).not.toContain('…');
    expect(r.stdout).toContain('dataset.val_fraction=0.3');
  });
});
