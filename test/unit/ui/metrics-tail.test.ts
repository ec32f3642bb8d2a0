import { appendFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MetricsTail, TailCache } from '../../../src/ui/metrics-tail.js';
import { tmpDir } from '../../helpers/tmp-dir.js';

describe('MetricsTail', () => {
  it('reads only what was appended, and a line only once it is whole', () => {
    const path = join(tmpDir(), 'metrics.jsonl');
    writeFileSync(path, '{"step":0,"time":1.5,"loss":3}\n{"step":1,"loss":2');
    const tail = new MetricsTail(path);
    expect(tail.update()).toBe(true);
    expect(tail.get('loss')).toEqual({ step: [0], time: [1.5], value: [3] });
    appendFileSync(path, ',"acc":0.5}\n{"loss":"NaN"}\n');
    tail.update();
    // A line without step takes the previous step + 1; "NaN" is read as a number.
    expect(tail.get('loss')!.step).toEqual([0, 1, 2]);
    expect(tail.get('loss')!.value).toEqual([3, 2, Number.NaN]);
    expect(tail.get('acc')).toEqual({ step: [1], time: [Number.NaN], value: [0.5] });
    expect(tail.names()).toEqual(['loss', 'acc']);
  });

  it('starts again when the file is replaced', () => {
    const dir = tmpDir();
    const path = join(dir, 'metrics.jsonl');
    writeFileSync(path, '{"step":0,"loss":3}\n{"step":1,"loss":2}\n');
    const tail = new MetricsTail(path);
    tail.update();
    writeFileSync(join(dir, 'new'), '{"step":5,"loss":1}\n');
    renameSync(join(dir, 'new'), path);
    tail.update();
    expect(tail.get('loss')).toEqual({ step: [5], time: [Number.NaN], value: [1] });
  });

  it('a missing file is no tail yet', () => {
    expect(new MetricsTail(join(tmpDir(), 'none.jsonl')).update()).toBe(false);
    expect(new TailCache().read(join(tmpDir(), 'none.jsonl'))).toBeUndefined();
  });

  it('the cache drops the least recently used tails beyond its budget', () => {
    const dir = tmpDir();
    const files = ['a', 'b', 'c'].map((n) => {
      const p = join(dir, `${n}.jsonl`);
      writeFileSync(p, '{"step":0,"x":1}\n{"step":1,"x":2}\n');
      return p;
    });
    const cache = new TailCache(4);
    const a = cache.read(files[0]!);
    const b = cache.read(files[1]!);
    expect(cache.read(files[0]!)).toBe(a); // kept: 4 points in all
    cache.read(files[2]!); // 6 points: b, least recently used, goes
    expect(cache.read(files[0]!)).toBe(a);
    expect(cache.read(files[1]!)).not.toBe(b); // read anew
  });
});
