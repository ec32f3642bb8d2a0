import { afterEach, describe, expect, it, vi } from 'vitest';
import { gcFunction, IdleCollector } from '../../../src/ui/idle-collect.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('IdleCollector: one collection once the server is idle after large work', () => {
  it('collects once, only after idleMs with no request, and not without being asked', () => {
    vi.useFakeTimers();
    const collect = vi.fn();
    const collector = new IdleCollector(500, collect);
    collector.busy(); // requests alone ask for nothing
    vi.advanceTimersByTime(2000);
    expect(collect).not.toHaveBeenCalled();

    collector.soon();
    collector.soon(); // asked twice before it ran: still one collection
    vi.advanceTimersByTime(400);
    collector.busy(); // a request 400 ms in: waits for another 500 ms of quiet
    vi.advanceTimersByTime(400);
    expect(collect).not.toHaveBeenCalled();
    vi.advanceTimersByTime(100);
    expect(collect).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(5000);
    expect(collect).toHaveBeenCalledTimes(1);

    collector.soon();
    collector.stop(); // the server closed: nothing runs after it
    vi.advanceTimersByTime(5000);
    expect(collect).toHaveBeenCalledTimes(1);
  });

  it("finds V8's collection function in this process", async () => {
    const gc = gcFunction();
    expect(typeof gc).toBe('function');
    const before = new WeakRef({ big: new Array(1000).fill(0) });
    // A WeakRef keeps its target until the current job ends.
    await new Promise((resolve) => setImmediate(resolve));
    gc!();
    expect(before.deref()).toBeUndefined();
  });
});
