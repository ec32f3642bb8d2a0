import { endianness } from 'node:os';
import { bucketCurve, type Curve } from './bucket.js';
import type { Series } from './metrics-tail.js';
import { debiasedEma } from './smooth.js';

export type XAxis = 'step' | 'time';

export interface CurveRequest {
  x: XAxis;
  /** Smoothing weight in [0, 1] (TensorBoard's slider). */
  smooth: number;
  /** At most this many buckets (about the chart's width in pixels, for two points per pixel). */
  buckets: number;
}

/** One series as drawn: smoothed over every point, then bucketed (bucket.ts). */
export function curveOf(series: Series, request: CurveRequest): Curve {
  const x = request.x === 'time' ? series.time : series.step;
  return bucketCurve(x, series.value, debiasedEma(series.value, request.smooth), request.buckets);
}

export interface CurveEntry {
  run: string;
  metric: string;
  curve: Curve;
}

const LITTLE_ENDIAN = endianness() === 'LE';
const VALUE_COLUMNS = ['y', 'min', 'max', 'smooth'] as const;
type ValueColumn = (typeof VALUE_COLUMNS)[number];

/** How one curve travels: which curve's x it shares, and each value column sent with its width. */
export interface CurveHeader {
  run: string;
  metric: string;
  points: number;
  bucketed: boolean;
  n: number;
  /** The index of the curve whose x column this one uses: its own, or an earlier one's equal x. */
  x: number;
  /** Bytes per value of each column sent (4: float32, exact for these values; 8: float64); a column left out equals y. */
  columns: Partial<Record<ValueColumn, 4 | 8>>;
}

const sameValues = (a: Float64Array, b: Float64Array) => a.length === b.length && a.every((v, i) => Object.is(v, b[i]));
/** Float32 when every value survives it exactly (metrics logged from float32 tensors do). */
const widthOf = (values: Float64Array): 4 | 8 => (values.every((v) => Object.is(Math.fround(v), v)) ? 4 : 8);
const padded = (offset: number) => Math.ceil(offset / 8) * 8;

/**
 * Curves as one binary message: a little-endian uint32 with the length of a JSON header (one
 * CurveHeader per curve, and the runs still running), the header, padding to 8 bytes, then per curve its own x column as
 * float64 (unless it shares an earlier curve's x: runs logged at the same steps do) and its value
 * columns y, min, max, smooth at the width the header gives, each block padded to 8 bytes. min
 * and max are left out when not bucketed, and smooth when not smoothed: they equal y. JSON would
 * spell out every digit of 100 curves × 1,000 points; this is 8–40 bytes a point, parsed at no cost.
 */
export function encodeCurves(entries: readonly CurveEntry[], about: { running: readonly string[] } = { running: [] }): Buffer {
  const headers: CurveHeader[] = [];
  const blocks: Array<{ data: Float64Array; width: 4 | 8 }> = [];
  /** Curves that send their own x column. */
  const owners: number[] = [];
  entries.forEach((e, i) => {
    const { curve } = e;
    const n = curve.x.length;
    let x = owners.find((j) => sameValues(entries[j]!.curve.x, curve.x));
    if (x === undefined) {
      x = i;
      owners.push(i);
      blocks.push({ data: curve.x, width: 8 });
    }
    const columns: CurveHeader['columns'] = {};
    for (const column of VALUE_COLUMNS) {
      if (column !== 'y' && sameValues(curve[column], curve.y)) continue;
      columns[column] = widthOf(curve[column]);
      blocks.push({ data: curve[column], width: columns[column] });
    }
    headers.push({ run: e.run, metric: e.metric, points: curve.points, bucketed: curve.bucketed, n, x, columns });
  });
  const header = Buffer.from(JSON.stringify({ curves: headers, running: about.running }), 'utf8');
  const start = padded(4 + header.length);
  const size = blocks.reduce((sum, b) => padded(sum + b.data.length * b.width), start);
  const out = Buffer.alloc(size);
  out.writeUInt32LE(header.length, 0);
  header.copy(out, 4);
  let offset = start;
  for (const { data, width } of blocks) {
    // A block copy where the host is little-endian, as the format is (offsets are 8-aligned).
    if (LITTLE_ENDIAN && (out.byteOffset + offset) % 8 === 0)
      (width === 8
        ? new Float64Array(out.buffer, out.byteOffset + offset, data.length)
        : new Float32Array(out.buffer, out.byteOffset + offset, data.length)
      ).set(data);
    else for (let i = 0; i < data.length; i++) width === 8 ? out.writeDoubleLE(data[i]!, offset + i * 8) : out.writeFloatLE(data[i]!, offset + i * 4);
    offset = padded(offset + data.length * width);
  }
  return out;
}
