import { describe, expect, it } from 'vitest';
import { bucketCurve } from '../../../src/ui/bucket.js';
import { encodeCurves, type CurveEntry, type CurveHeader } from '../../../src/ui/curves.js';

/** Reads the message as encodeCurves documents it (the page's reader is src/ui/client/api.ts). */
function decode(message: Buffer) {
  const headerLength = message.readUInt32LE(0);
  const header = JSON.parse(message.subarray(4, 4 + headerLength).toString('utf8')) as { curves: CurveHeader[]; running: string[] };
  let offset = Math.ceil((4 + headerLength) / 8) * 8;
  const block = (n: number, width: 4 | 8) => {
    const values = Array.from({ length: n }, (_, i) => (width === 8 ? message.readDoubleLE(offset + i * 8) : message.readFloatLE(offset + i * 4)));
    offset = Math.ceil((offset + n * width) / 8) * 8;
    return values;
  };
  const curves: Array<Record<string, number[]>> = [];
  header.curves.forEach((c, i) => {
    const x = c.x === i ? block(c.n, 8) : curves[c.x]!.x!;
    const y = block(c.n, c.columns.y!);
    const column = (name: 'min' | 'max' | 'smooth') => (c.columns[name] ? block(c.n, c.columns[name]) : y);
    curves.push({ x, y, min: column('min'), max: column('max'), smooth: column('smooth') });
  });
  expect(offset).toBe(message.length);
  return { header, curves };
}

const entry = (run: string, metric: string, x: number[], y: number[], smooth = y, buckets = 1000): CurveEntry => ({
  run,
  metric,
  curve: bucketCurve(x, y, smooth, buckets),
});

describe('encodeCurves', () => {
  it('round-trips every value exactly, at float32 only where float32 holds the value', () => {
    const a = entry('a', 'loss', [0, 1, 2], [0.5, 0.25, Number.NaN]);
    const b = entry('b', 'loss', [0, 1, 2], [0.1, 1e-300, 2 ** 40 + 1]);
    const { header, curves } = decode(encodeCurves([a, b], { running: ['b'] }));
    expect(header.running).toEqual(['b']);
    expect(header.curves.map((c) => c.columns)).toEqual([{ y: 4 }, { y: 8 }]);
    expect(curves[0]!.y).toEqual([0.5, 0.25, Number.NaN]);
    expect(curves[1]!.y).toEqual([0.1, 1e-300, 2 ** 40 + 1]);
  });

  it('sends an x column once for curves logged at the same steps, and again for others', () => {
    const steps = [0, 10, 20];
    const entries = [entry('a', 'loss', steps, [3, 2, 1]), entry('a', 'acc', steps, [1, 2, 3]), entry('b', 'loss', [0, 10, 30], [3, 2, 1])];
    const { header, curves } = decode(encodeCurves(entries));
    expect(header.curves.map((c) => c.x)).toEqual([0, 0, 2]);
    expect(curves.map((c) => c.x)).toEqual([steps, steps, [0, 10, 30]]);
  });

  it('sends min, max and smooth only where they differ from y', () => {
    const n = 1000;
    const x = Array.from({ length: n }, (_, i) => i);
    const y = x.map((i) => Math.sin(i) + 0.1);
    const bucketed = entry('a', 'wave', x, y, y, 100);
    const smoothed = entry('b', 'wave', [0, 1], [1.5, 2.5], [1.5, 2]);
    const { header, curves } = decode(encodeCurves([bucketed, smoothed]));
    expect(Object.keys(header.curves[0]!.columns)).toEqual(['y', 'min', 'max']);
    expect(Object.keys(header.curves[1]!.columns)).toEqual(['y', 'smooth']);
    expect(curves[0]!.max).toEqual(Array.from(bucketed.curve.max));
    expect(curves[0]!.min).toEqual(Array.from(bucketed.curve.min));
    expect(Math.max(...curves[0]!.max!)).toBe(Math.max(...y));
    expect(curves[1]!.smooth).toEqual([1.5, 2]);
  });
});
