import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { openStore } from '../../../src/store/open-store.js';
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
