import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readMetrics, readMetricsSync } from '../../../src/run/metrics.js';
import { tmpDir } from '../../helpers/tmp-dir.js';

describe('readMetricsSync', () => {
  it.each([
    { name: 'plain rows', text: '{"step":0,"time":1,"a":1}\n{"step":1,"time":2,"a":"NaN"}\n' },
    { name: 'missing steps and times', text: '{"a":1}\n{"a":2}\n{"step":7,"a":3}\n{"a":4}\n' },
    { name: 'a torn last line', text: '{"step":0,"a":1}\n{"step":1,"a' },
    { name: 'a bad line before the last', text: '{"step":0,"a":1}\nnot json\n{"step":2,"a":3}\n' },
    { name: 'blank lines and no final newline', text: '\n{"step":0,"a":1}\n\n{"step":1,"a":2}' },
  ])('reads $name as readMetrics does', async ({ text }) => {
    const path = join(tmpDir(), 'metrics.jsonl');
    writeFileSync(path, text);
    expect(readMetricsSync(path)).toEqual(await readMetrics(path));
  });

  it('a missing file is RUN_IO', () => {
    expect(() => readMetricsSync(join(tmpDir(), 'none.jsonl'))).toThrow(expect.objectContaining({ code: 'RUN_IO' }));
  });
});
