import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MetricsTail } from '../../../src/run/metrics.js';
import { tmpDir } from '../../helpers/tmp-dir.js';

describe('MetricsTail', () => {
  it('reads only what was appended since the last read, a line once it is whole', () => {
    const path = join(tmpDir(), 'metrics.jsonl');
    const tail = new MetricsTail(path);
    expect(tail.read()).toEqual([]);
    writeFileSync(path, '{"step":0,"loss":1}\n{"step":1,"lo');
    expect(tail.read()).toEqual([{ step: 0, loss: 1 }]);
    appendFileSync(path, 'ss":0.5}\n');
    expect(tail.read()).toEqual([{ step: 1, loss: 0.5 }]);
    expect(tail.read()).toEqual([]);
    // A child's line without a step gets the next one; NaN comes back as a number; é split across reads stays whole.
    const line = Buffer.from('{"loss":"NaN","tag":"café"}\n');
    const cut = line.indexOf(0xa9); // between the two bytes of é
    appendFileSync(path, line.subarray(0, cut));
    expect(tail.read()).toEqual([]);
    appendFileSync(path, line.subarray(cut));
    const [row] = tail.read();
    expect(row!.step).toBe(2);
    expect(row!.loss).toBeNaN();
    expect(row!.tag).toBe('café');
  });

  it('skips a line that is not a row and goes on', () => {
    const path = join(tmpDir(), 'metrics.jsonl');
    writeFileSync(path, 'not json\n{"step":3,"loss":2}\n');
    expect(new MetricsTail(path).read()).toEqual([{ step: 3, loss: 2 }]);
  });
});
