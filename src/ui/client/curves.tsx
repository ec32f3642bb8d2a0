import uPlot from 'uplot';
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';
import { getCurves, type CurveData } from './api.js';
import { cellText, colorOf } from './format.js';
import { setParams } from './route.js';

const WIDTH = 560;
const HEIGHT = 260;

const bandColor = (color: string) => color.replace('45%)', '45%, 0.18)').replace('hsl(', 'hsla(');

/**
 * The bands of bucketed curves (each bucket's min…max), one filled polygon per unbroken stretch,
 * under the lines. Drawn here rather than as two more uPlot series and a uPlot band per curve:
 * with 100 curves that was two thirds of the chart's drawing time.
 */
function drawBands(u: uPlot, curves: readonly CurveData[], logY: boolean): void {
  const ctx = u.ctx;
  const { left, top, width, height } = u.bbox;
  const floor = u.scales.y?.min ?? 0;
  ctx.save();
  ctx.beginPath();
  ctx.rect(left, top, width, height);
  ctx.clip();
  for (const c of curves) {
    if (!c.bucketed) continue;
    const n = c.x.length;
    const low = (k: number) => (logY && c.min[k]! <= 0 ? floor : c.min[k]!);
    const drawable = (k: number) => Number.isFinite(c.min[k]) && Number.isFinite(c.max[k]) && (!logY || c.max[k]! > 0);
    ctx.fillStyle = bandColor(colorOf(c.run));
    for (let i = 0; i < n;) {
      while (i < n && !drawable(i)) i++;
      let j = i;
      while (j < n && drawable(j)) j++;
      if (j > i) {
        ctx.beginPath();
        for (let k = i; k < j; k++) ctx.lineTo(u.valToPos(c.x[k]!, 'x', true), u.valToPos(c.max[k]!, 'y', true));
        for (let k = j - 1; k >= i; k--) ctx.lineTo(u.valToPos(c.x[k]!, 'x', true), u.valToPos(low(k), 'y', true));
        ctx.fill();
      }
      i = j;
    }
  }
  ctx.restore();
}

/** The smallest and largest value drawn (a band's extremes included), positive ones only on a log axis. */
function extentOf(curves: readonly CurveData[], logY: boolean): [number, number] | undefined {
  let lo = Infinity;
  let hi = -Infinity;
  for (const c of curves)
    for (const values of c.bucketed ? [c.min, c.max] : [c.y])
      for (const v of values) {
        if (!Number.isFinite(v) || (logY && v <= 0)) continue;
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
  return lo <= hi ? [lo, hi] : undefined;
}

/** One chart: every run's curve of one metric, on a shared x (uPlot.join when the runs' x differ). */
function Chart(props: { metric: string; curves: CurveData[]; logY: boolean; time: boolean; smoothing: boolean }) {
  const ref = useRef<HTMLDivElement>(null);
  const [hover, setHover] = useState('');
  // Drawn in the same task as the figure around it (a layout effect), not a frame later.
  useLayoutEffect(() => {
    if (!ref.current) return;
    const tables: Array<[Float64Array, Float64Array | Float32Array]> = [];
    const series: uPlot.Series[] = [{}];
    for (const c of props.curves) {
      const color = colorOf(c.run);
      tables.push([c.x, c.y]);
      series.push({ label: c.run, stroke: color, width: 1, alpha: props.smoothing ? 0.35 : 1, spanGaps: true });
      if (props.smoothing) {
        tables.push([c.x, c.smooth]);
        series.push({ label: `${c.run} (smoothed)`, stroke: color, width: 2, spanGaps: true });
      }
    }
    const sharedX = tables.every((t) => t[0] === tables[0]![0]);
    const data: uPlot.AlignedData = sharedX && tables.length ? [tables[0]![0], ...tables.map((t) => t[1])] : uPlot.join(tables);
    const bucketed = props.curves.filter((c) => c.bucketed);
    // The y range must hold the bands, which uPlot does not see.
    const extent = bucketed.length ? extentOf(props.curves, props.logY) : undefined;
    const yRange: uPlot.Scale.Range | undefined = extent
      ? (_u, min, max) => {
          const lo = Math.min(min ?? extent[0], extent[0]);
          const hi = Math.max(max ?? extent[1], extent[1]);
          return props.logY ? uPlot.rangeLog(lo, hi, 10, false) : uPlot.rangeNum(lo, hi, 0.1, true);
        }
      : undefined;
    let focused: number | null = null;
    const plot = new uPlot(
      {
        width: WIDTH,
        height: HEIGHT,
        title: props.metric,
        legend: { show: false },
        scales: { x: { time: props.time }, y: { ...(props.logY ? { distr: 3 } : {}), ...(yRange ? { range: yRange } : {}) } },
        series,
        cursor: { focus: { prox: 24 }, points: { show: false } },
        focus: { alpha: 0.4 },
        hooks: {
          drawAxes: bucketed.length ? [(u) => drawBands(u, bucketed, props.logY)] : [],
          // The focused series (nearest the cursor) and the value under the cursor.
          setSeries: [(_u, i) => (focused = i)],
          setCursor: [
            (u) => {
              const idx = u.cursor.idx;
              if (focused === null || idx === null || idx === undefined) return setHover('');
              const label = String(u.series[focused]!.label);
              const x = u.data[0][idx] ?? 0;
              setHover(`${label}: ${cellText(u.data[focused]?.[idx])} at ${props.time ? new Date(x * 1000).toISOString() : `step ${x}`}`);
            },
          ],
        },
      },
      data,
      ref.current,
    );
    return () => plot.destroy();
  }, [props.curves, props.logY, props.time, props.smoothing]);
  const points = props.curves.reduce((s, c) => s + c.points, 0);
  const bucketed = props.curves.some((c) => c.bucketed);
  // The extremes drawn (the band's, when bucketed): tests check that bucketing kept them.
  const lo = Math.min(...props.curves.map((c) => Math.min(...c.min)));
  const hi = Math.max(...props.curves.map((c) => Math.max(...c.max)));
  return (
    <figure class="chart" data-metric={props.metric} data-min={lo} data-max={hi}>
      <div ref={ref} />
      <figcaption>
        <span class="hover">{hover || '\u00a0'}</span>
        <span class="points" data-bucketed={String(bucketed)}>
          {points} points{bucketed ? ', bucketed: band = min…max' : ''}
        </span>
      </figcaption>
    </figure>
  );
}

/** The request for the curves of `runs` as the URL's axis and smoothing ask them. */
export function curvesQuery(params: URLSearchParams, runs: readonly string[]): Record<string, string | number> {
  return { runs: runs.join(','), x: params.get('x') === 'time' ? 'time' : 'step', smooth: Number(params.get('smooth') ?? '0'), buckets: Math.floor(WIDTH / 2) };
}

/**
 * Curves of the given runs, one chart per metric: step or wall-time x, log y, TensorBoard's
 * smoothing (done by the server on every point before bucketing). Refreshed every second while
 * the server says one of the runs is running; it reads only what its metrics.jsonl gained.
 */
export function Curves(props: { runs: string[]; params: URLSearchParams }) {
  const x = props.params.get('x') === 'time' ? 'time' : 'step';
  const logY = props.params.get('logy') === '1';
  const smooth = Number(props.params.get('smooth') ?? '0');
  const [curves, setCurves] = useState<CurveData[]>([]);
  const [error, setError] = useState('');
  const [live, setLive] = useState(false);
  const key = props.runs.join(',');
  useEffect(() => {
    if (!props.runs.length) return setCurves([]);
    let stop = false;
    const fetchOnce = () =>
      getCurves(curvesQuery(props.params, props.runs))
        .then((answer) => {
          if (stop) return;
          setCurves(answer.curves);
          setLive(answer.running.length > 0);
          setError('');
        })
        .catch((e: Error) => setError(e.message));
    void fetchOnce();
    const timer = live ? setInterval(fetchOnce, 1000) : undefined;
    return () => {
      stop = true;
      if (timer) clearInterval(timer);
    };
  }, [key, x, smooth, live]);
  // One array per metric for as long as the curves stay: a chart redraws only when they change,
  // not each time the page around it renders (rows arriving, a selection).
  const byMetric = useMemo(() => {
    const groups = new Map<string, CurveData[]>();
    for (const c of curves) {
      const group = groups.get(c.metric);
      if (group) group.push(c);
      else groups.set(c.metric, [c]);
    }
    return groups;
  }, [curves]);
  return (
    <section class="curves">
      <div class="toolbar">
        <label>
          x{' '}
          <select id="x-axis" value={x} onChange={(e) => setParams({ x: (e.target as HTMLSelectElement).value === 'time' ? 'time' : undefined })}>
            <option value="step">step</option>
            <option value="time">wall time</option>
          </select>
        </label>
        <label>
          <input id="log-y" type="checkbox" checked={logY} onChange={() => setParams({ logy: logY ? undefined : '1' })} /> log y
        </label>
        <label>
          smoothing{' '}
          <input
            id="smoothing"
            type="range"
            min="0"
            max="0.99"
            step="0.01"
            value={smooth}
            onChange={(e) => setParams({ smooth: (e.target as HTMLInputElement).value === '0' ? undefined : (e.target as HTMLInputElement).value })}
          />{' '}
          {smooth.toFixed(2)}
        </label>
        <span>{props.runs.length} runs</span>
      </div>
      {error && <div class="problem">{error}</div>}
      <div class="charts">
        {[...byMetric].map(([m, group]) => (
          <Chart metric={m} curves={group} logY={logY} time={x === 'time'} smoothing={smooth > 0} />
        ))}
      </div>
    </section>
  );
}
