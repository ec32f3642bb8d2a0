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

const COLUMNS = ['x', 'y', 'min', 'max', 'smooth'] as const;

/**
 * Curves as one binary message: a little-endian uint32 with the length of a JSON header, the
 * header (run, metric, points before bucketing, bucketed, n), padding to 8 bytes, then per curve
 * its columns x, y, min, max, smooth as float64 arrays of n values each. JSON would spell out
 * every digit of 100 curves × 1,000 points; this is 40 bytes a point and parses at no cost.
 */
export function encodeCurves(entries: readonly CurveEntry[]): Buffer {
  const header = Buffer.from(
    JSON.stringify({
      columns: COLUMNS,
      curves: entries.map((e) => ({ run: e.run, metric: e.metric, points: e.curve.points, bucketed: e.curve.bucketed, n: e.curve.x.length })),
    }),
    'utf8',
  );
  const start = Math.ceil((4 + header.length) / 8) * 8;
  const values = entries.reduce((sum, e) => sum + e.curve.x.length * COLUMNS.length, 0);
  const out = Buffer.alloc(start + values * 8);
  out.writeUInt32LE(header.length, 0);
  header.copy(out, 4);
  let offset = start;
  for (const e of entries) {
    for (const column of COLUMNS) {
      const data = e.curve[column];
      for (let i = 0; i < data.length; i++, offset += 8) out.writeDoubleLE(data[i]!, offset);
    }
  }
  return out;
}
