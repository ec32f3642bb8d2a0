import uPlot from 'uplot';
import { useEffect, useRef, useState } from 'preact/hooks';
import { getCurves, type CurveData } from './api.js';
import { cellText, colorOf } from './format.js';
import { setParams } from './route.js';

const WIDTH = 560;
const HEIGHT = 260;

/** One chart: every run's curve of one metric, aligned on a shared x (uPlot.join). */
function Chart(props: { metric: string; curves: CurveData[]; logY: boolean; time: boolean; smoothing: boolean }) {
  const ref = useRef<HTMLDivElement>(null);
  const [hover, setHover] = useState('');
  useEffect(() => {
    if (!ref.current) return;
    const tables: uPlot.AlignedData[] = [];
    const series: uPlot.Series[] = [{}];
    const bands: uPlot.Band[] = [];
    for (const c of props.curves) {
      const color = colorOf(c.run);
      const base = series.length;
      tables.push([c.x, c.y]);
      series.push({ label: c.run, stroke: color, width: props.smoothing ? 1 : 1.5, alpha: props.smoothing ? 0.35 : 1, spanGaps: true });
      if (props.smoothing) {
        tables.push([c.x, c.smooth]);
        series.push({ label: `${c.run} (smoothed)`, stroke: color, width: 2, spanGaps: true });
      }
      if (c.bucketed) {
        tables.push([c.x, c.max], [c.x, c.min]);
        const max = series.length;
        series.push({ label: `${c.run} max`, stroke: 'transparent', spanGaps: true }, { label: `${c.run} min`, stroke: 'transparent', spanGaps: true });
        bands.push({ series: [max, max + 1], fill: color.replace('45%)', '45%, 0.18)').replace('hsl(', 'hsla(') });
      }
      void base;
    }
    const data = uPlot.join(tables);
    let focused: number | null = null;
    const plot = new uPlot(
      {
        width: WIDTH,
        height: HEIGHT,
        title: props.metric,
        legend: { show: false },
        scales: { x: { time: props.time }, y: props.logY ? { distr: 3 } : {} },
        series,
        bands,
        cursor: { focus: { prox: 24 } },
        focus: { alpha: 0.4 },
        hooks: {
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

/**
 * Curves of the given runs, one chart per metric: step or wall-time x, log y, TensorBoard's
 * smoothing (done by the server on every point before bucketing). Refreshed every second while
 * a run is still running; the server reads only what its metrics.jsonl gained.
 */
export function Curves(props: { runs: string[]; running: boolean; params: URLSearchParams }) {
  const x = props.params.get('x') === 'time' ? 'time' : 'step';
  const logY = props.params.get('logy') === '1';
  const smooth = Number(props.params.get('smooth') ?? '0');
  const [curves, setCurves] = useState<CurveData[]>([]);
  const [error, setError] = useState('');
  const key = props.runs.join(',');
  useEffect(() => {
    if (!props.runs.length) return setCurves([]);
    let stop = false;
    const fetchOnce = () =>
      getCurves({ runs: key, x, smooth, buckets: Math.floor(WIDTH / 2) })
        .then((c) => !stop && (setCurves(c), setError('')))
        .catch((e: Error) => setError(e.message));
    void fetchOnce();
    const timer = props.running ? setInterval(fetchOnce, 1000) : undefined;
    return () => {
      stop = true;
      if (timer) clearInterval(timer);
    };
  }, [key, x, smooth, props.running]);
  const metrics = [...new Set(curves.map((c) => c.metric))];
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
        {metrics.map((m) => (
          <Chart metric={m} curves={curves.filter((c) => c.metric === m)} logY={logY} time={x === 'time'} smoothing={smooth > 0} />
        ))}
      </div>
    </section>
  );
}
