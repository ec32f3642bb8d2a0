import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCheckpoint, readCheckpoint, writeCheckpoint } from '../../../src/records/checkpoint.js';
import { tmpDir } from '../../helpers/tmp-dir.js';

describe('checkpoints in a run directory', () => {
  it('data goes into latest.json; a newer checkpoint replaces it whole, with no temp file left', () => {
    const run = tmpDir();
    writeCheckpoint(run, 4, { w: [1, 2] }, run);
    writeCheckpoint(run, 9, { w: [3] }, run);
    expect(readCheckpoint(run)).toEqual({ step: 9, data: { w: [3] } });
    expect(loadCheckpoint(run)).toEqual({ step: 9, data: { w: [3] }, from: run });
    expect(readdirSync(join(run, 'checkpoints'))).toEqual(['latest.json']);
  });

  it('{ path } copies the file under <step>/ and keeps the older ones (nothing is ever deleted)', () => {
    const run = tmpDir({ 'model.bin': 'v1' });
    writeCheckpoint(run, 5, { path: 'model.bin' }, run);
    writeFileSync(join(run, 'model.bin'), 'v2');
    writeCheckpoint(run, 10, { path: 'model.bin' }, run);
    const restored = loadCheckpoint(run);
    expect(restored).toEqual({ step: 10, path: join(run, 'checkpoints', '10', 'model.bin'), from: run });
    expect(readFileSync(restored.path!, 'utf8')).toBe('v2');
    expect(readFileSync(join(run, 'checkpoints', '5', 'model.bin'), 'utf8')).toBe('v1');
  });

  it('an object with more keys than path is data', () => {
    const run = tmpDir();
    writeCheckpoint(run, 1, { path: 'x', epoch: 3 }, run);
    expect(readCheckpoint(run)).toEqual({ step: 1, data: { path: 'x', epoch: 3 } });
  });

  it.each([
    { name: 'undefined', state: undefined },
    { name: 'a function', state: () => 1 },
    {
      name: 'a cycle',
      state: (() => {
        const o: Record<string, unknown> = {};
        o.self = o;
        return o;
      })(),
    },
  ])('refuses $name, leaving no checkpoint', ({ state }) => {
    const run = tmpDir();
    expect(() => writeCheckpoint(run, 1, state, run)).toThrow(expect.objectContaining({ code: 'RUN_IO' }));
    expect(existsSync(join(run, 'checkpoints', 'latest.json'))).toBe(false);
  });

  it.each([
    { name: 'no pointer', text: undefined },
    { name: 'not JSON', text: '{' },
    { name: 'no step', text: '{"data": 1}' },
    { name: 'a file outside the folder', text: '{"step": 1, "file": "../../secret"}' },
  ])('a run with $name has no checkpoint to copy', ({ text }) => {
    const run = tmpDir(text === undefined ? {} : { 'checkpoints/latest.json': text });
    expect(readCheckpoint(run)).toBeUndefined();
    expect(() => loadCheckpoint(run)).toThrow(expect.objectContaining({ code: 'RUN_IO' }));
  });
});
