import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { openStore } from '../../../src/store/open-store.js';
import { listRuns } from '../../../src/ui/api.js';
import { TailCache } from '../../../src/ui/metrics-tail.js';
import { RowCache } from '../../../src/ui/run-rows.js';
import { StoreView } from '../../../src/ui/store-view.js';
import { tmpDir } from '../../helpers/tmp-dir.js';
import { ageTree, writeRun } from '../store/synthetic-runs.js';

afterEach(() => {
  vi.useRealTimers();
});

describe("StoreView: the UI's store, opened again only when something changed", () => {
  it('keeps its store while nothing changed, yet sees a live run go stale and a new run appear', () => {
    const now = Date.now();
    const root = tmpDir();
    writeRun(join(root, 'outputs/day/a'), { id: 'a' });
    // Running, its last heartbeat just now (every 5 s): crashed once three beats are missed.
    writeRun(join(root, 'outputs/day/b'), { id: 'b', status: 'running', heartbeat: new Date(now).toISOString() });
    openStore(['outputs'], { cwd: root }).flush(); // the index is made: the root changes once
    ageTree(root);
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(now);
    const view = new StoreView(['outputs'], root, 0);
    const first = view.current();
    const statusOfB = () => view.run('outputs/day/b')!.status(view.current().now);
    expect(statusOfB()).toBe('running');
    const generation = view.generation;

    vi.setSystemTime(now + 60_000);
    expect(view.current()).toBe(first); // kept: nothing was written
    expect(statusOfB()).toBe('crashed');
    expect(view.generation).toBe(generation + 1); // a listing made before is stale

    vi.setSystemTime(now + 61_000);
    expect(view.current()).toBe(first);
    expect(view.generation).toBe(generation + 1); // nothing changed since

    writeRun(join(root, 'outputs/day/c'), { id: 'c' });
    vi.setSystemTime(now + 62_000);
    const reopened = view.current();
    expect(reopened).not.toBe(first);
    expect(reopened.runs.map((r) => r.rel).sort()).toEqual(['day/a', 'day/b', 'day/c']);
  });
});

describe('StoreView.run: a key the store does not know', () => {
  it('opens the store again to find a run that just started, but not on every request for a key that is nowhere', () => {
    const now = Date.now();
    const root = tmpDir();
    writeRun(join(root, 'outputs/day/a'), { id: 'a' });
    ageTree(root);
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(now);
    const view = new StoreView(['outputs'], root, 1000);
    const first = view.current();
    writeRun(join(root, 'outputs/day/b'), { id: 'b' });
    expect(view.run('outputs/day/b')?.info?.id).toBe('b'); // opened again at once for it
    const second = view.current();
    expect(second).not.toBe(first);

    expect(view.run('outputs/day/nowhere')).toBeUndefined();
    expect(view.run('outputs/day/nowhere')).toBeUndefined();
    expect(view.current()).toBe(second); // within the ttl: not opened again for it

    vi.setSystemTime(now + 1500);
    expect(view.run('outputs/day/nowhere')).toBeUndefined();
    expect(view.current()).not.toBe(second); // once the ttl has passed, looked for again
  });
});

describe('StoreView.release and the rows the listing keeps', () => {
  it('a listing reads the same after the store is opened again lean, and the rows need no records', () => {
    const root = tmpDir();
    for (const [i, lr] of [0.1, 0.01, 0.001].entries()) {
      writeRun(join(root, `outputs/day/r${i}`), {
        id: `r${i}`,
        resolved: { optimizer: { name: 'adam', lr }, seed: i },
        metrics: { loss: { last: lr, min: lr / 2, max: 1 } },
      });
    }
    ageTree(root);
    const ctx = { view: new StoreView(['outputs'], root, 60_000), rows: new RowCache(), tails: new TailCache() };
    const params = new URLSearchParams({ sort: 'optimizer.lr' });
    const before = listRuns(ctx, params);
    const store = ctx.view.current();
    const generation = ctx.view.generation;
    ctx.view.release();
    expect(ctx.view.current()).not.toBe(store);
    expect(ctx.view.generation).toBe(generation); // same runs, same records: the listing stays valid
    ctx.listing = undefined;
    const built = ctx.rows.built;
    expect(listRuns(ctx, params)).toEqual(before);
    expect(ctx.rows.built).toBe(built); // every row from the cache
    expect(before.rows.map((r) => [r.id, r.config['optimizer.lr'], r.metrics.loss?.min])).toEqual([
      ['r2', 0.001, 0.0005],
      ['r1', 0.01, 0.005],
      ['r0', 0.1, 0.05],
    ]);
    expect(before.varying).toEqual(['optimizer.lr', 'seed']);
  });
});
