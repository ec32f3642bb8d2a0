import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { throttled } from '../../../src/app/throttled.js';

/** A record writer whose every write takes `writeMs` of (fake) time, as a big sweep.json would. */
function recorder(writeMs: number) {
  const writes: number[] = [];
  let state = 0;
  const write = () => {
    writes.push(state);
    vi.advanceTimersByTime(writeMs);
  };
  return { writes, write, set: (value: number) => (state = value) };
}

describe('throttled', () => {
  beforeEach(() => vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] }));
  afterEach(() => vi.useRealTimers());

  it('writes at once when idle, then waits 1/share times the last write before the next', () => {
    const r = recorder(10);
    const saves = throttled(r.write, 0.05);
    r.set(1);
    saves.soon();
    expect(r.writes).toEqual([1]);
    // The write took 10 ms: the next may start 200 ms after it ended.
    r.set(2);
    saves.soon();
    r.set(3);
    saves.soon();
    expect(r.writes).toEqual([1]);
    vi.advanceTimersByTime(199);
    expect(r.writes).toEqual([1]);
    vi.advanceTimersByTime(1);
    // One write for both changes, with the latest state.
    expect(r.writes).toEqual([1, 3]);
  });

  it('now() writes at once, inside the wait too, and replaces the pending write', () => {
    const r = recorder(10);
    const saves = throttled(r.write, 0.05);
    saves.now();
    r.set(5);
    saves.soon();
    saves.now();
    expect(r.writes).toEqual([0, 5]);
    vi.advanceTimersByTime(10_000);
    expect(r.writes).toEqual([0, 5]);
  });

  it('writing stays within its share of the time however long writes take', () => {
    const r = recorder(4);
    const saves = throttled(r.write, 0.05);
    const start = performance.now();
    // A job ending every millisecond for 10 s.
    for (let t = 0; t < 10_000; t++) {
      r.set(t);
      saves.soon();
      vi.advanceTimersByTime(1);
    }
    const writing = r.writes.length * 4;
    expect(writing / (performance.now() - start)).toBeLessThanOrEqual(0.05);
    expect(r.writes.length).toBeGreaterThan(100);
  });
});
