import { useEffect, useState } from 'preact/hooks';
import type { PbtLineage } from '../../sweep/lineage.js';
import { getJson } from './api.js';
import { cellText } from './format.js';
import { hrefOf, setParams } from './route.js';

interface Job {
  num: number;
  overrides: string[];
  status: string;
  dir: string | null;
  objective: number | null;
  /** What a model-based sweeper proposed (TPE, PBT): parameter → value. */
  params?: Record<string, string | number>;
  pbt?: PbtLineage;
  pruned?: { step: number; reason: string };
}
interface SweepData {
  dir: string;
  record: { strategy: string; objective: { name: string | null; mode: string }; jobs: Job[] };
}

/**
 * The swept parameters of a job: those its sweeper recorded, else its overrides (`a=1` → a: 1,
 * numbers where they parse) without trellis's own (a PBT segment's member, steps, checkpoint).
 */
function paramsOf(job: Job): Record<string, string | number> {
  if (job.params) return job.params;
  const out: Record<string, string | number> = {};
  for (const o of job.overrides) {
    const i = o.indexOf('=');
    if (i < 0) continue;
    const key = o.slice(0, i).replace(/^\+*/, '');
    if (key.startsWith('trellis.')) continue;
    const v = o.slice(i + 1);
    out[key] = v !== '' && Number.isFinite(Number(v)) ? Number(v) : v;
  }
  return out;
}

interface Axis {
  name: string;
  /** Value → 0..1 (bottom..top). */
  scale: (v: unknown) => number;
  ticks: Array<[string, number]>;
}

function axisOf(name: string, values: unknown[]): Axis {
  const nums = values.filter((v): v is number => typeof v === 'number');
  if (nums.length === values.filter((v) => v !== undefined && v !== null).length && nums.length) {
    const [lo, hi] = [Math.min(...nums), Math.max(...nums)];
    const s = (v: unknown) => (typeof v === 'number' ? (hi === lo ? 0.5 : (v - lo) / (hi - lo)) : Number.NaN);
    return {
      name,
      scale: s,
      ticks: [
        [cellText(lo), 0],
        [cellText(hi), 1],
      ],
    };
  }
  const cats = [...new Set(values.map((v) => String(v)))].sort();
  const s = (v: unknown) => (cats.length === 1 ? 0.5 : cats.indexOf(String(v)) / (cats.length - 1));
  return { name, scale: s, ticks: cats.map((c, i) => [c, cats.length === 1 ? 0.5 : i / (cats.length - 1)]) };
}

const W = 760;
const H = 260;
const PAD = 30;
/** Room right of the last axis for its tick labels. */
const RIGHT = 90;

/**
 * Parallel coordinates over every swept parameter and the objective. Dragging along an axis
 * brushes a range; jobs outside every brush leave the table.
 */
function ParallelCoordinates(props: {
  jobs: Job[];
  brushes: Record<string, [number, number]>;
  onBrush: (name: string, range: [number, number] | null) => void;
}) {
  const rows = props.jobs.map((j) => ({ job: j, values: { ...paramsOf(j), objective: j.objective } as Record<string, unknown> }));
  const names = [...new Set(rows.flatMap((r) => Object.keys(r.values)))];
  const axes = names.map((n) =>
    axisOf(
      n,
      rows.map((r) => r.values[n]),
    ),
  );
  const xOf = (i: number) => PAD + (i * (W - PAD - RIGHT)) / Math.max(1, axes.length - 1);
  const yOf = (t: number) => H - PAD - t * (H - 2 * PAD);
  const [drag, setDrag] = useState<{ axis: string; from: number; to: number } | null>(null);
  const tOf = (e: MouseEvent) => {
    const rect = (e.currentTarget as SVGElement).ownerSVGElement!.getBoundingClientRect();
    const t = Math.max(0, Math.min(1, (H - PAD - (e.clientY - rect.top)) / (H - 2 * PAD)));
    // A drag that starts or ends at an axis's end takes that end in: the extreme value lies on it.
    return t < 0.02 ? 0 : t > 0.98 ? 1 : t;
  };
  const inside = (r: (typeof rows)[number]) => axes.every((a) => !props.brushes[a.name] || within(a.scale(r.values[a.name]), props.brushes[a.name]!));
  return (
    <svg
      class="parcoords"
      width={W}
      height={H}
      onMouseUp={() => drag && (props.onBrush(drag.axis, Math.abs(drag.to - drag.from) < 0.01 ? null : order(drag.from, drag.to)), setDrag(null))}
    >
      {rows.map((r) => (
        <polyline
          class={inside(r) ? 'line in' : 'line out'}
          points={axes.map((a, i) => `${xOf(i)},${yOf(a.scale(r.values[a.name]))}`).join(' ')}
          data-num={r.job.num}
        />
      ))}
      {axes.map((a, i) => {
        const brush = drag?.axis === a.name ? order(drag.from, drag.to) : props.brushes[a.name];
        return (
          <g class="axis" data-axis={a.name}>
            <line x1={xOf(i)} x2={xOf(i)} y1={yOf(0)} y2={yOf(1)} />
            <text x={xOf(i)} y={PAD - 12} text-anchor="middle">
              {a.name}
            </text>
            {a.ticks.map(([label, t]) => (
              <text x={xOf(i) + 4} y={yOf(t) + 4} class="tick">
                {label}
              </text>
            ))}
            {brush && <rect class="brush" x={xOf(i) - 8} width={16} y={yOf(brush[1])} height={yOf(brush[0]) - yOf(brush[1])} />}
            <rect
              class="hit"
              x={xOf(i) - 12}
              width={24}
              y={yOf(1)}
              height={H - 2 * PAD}
              onMouseDown={(e) => setDrag({ axis: a.name, from: tOf(e), to: tOf(e) })}
              onMouseMove={(e) => drag?.axis === a.name && setDrag({ ...drag, to: tOf(e) })}
            />
          </g>
        );
      })}
    </svg>
  );
}

const order = (a: number, b: number): [number, number] => (a < b ? [a, b] : [b, a]);
const within = (t: number, [lo, hi]: [number, number]) => t >= lo - 1e-9 && t <= hi + 1e-9;

/** Objective over trial number, with the best so far, as an SVG line chart. */
function ObjectiveChart(props: { jobs: Job[]; mode: string }) {
  const pts = props.jobs.filter((j) => typeof j.objective === 'number').sort((a, b) => a.num - b.num);
  if (!pts.length) return <p class="muted">no objective recorded</p>;
  const ys = pts.map((j) => j.objective!);
  const [lo, hi] = [Math.min(...ys), Math.max(...ys)];
  const maxNum = Math.max(...pts.map((j) => j.num), 1);
  const x = (n: number) => PAD + (n / maxNum) * (W - 2 * PAD);
  const y = (v: number) => H - PAD - (hi === lo ? 0.5 : (v - lo) / (hi - lo)) * (H - 2 * PAD);
  let best = Number.NaN;
  // A pruned trial never finished: its last report is drawn, but it is never the best.
  const bestLine = pts
    .filter((j) => j.status !== 'pruned')
    .map((j) => {
      const v = j.objective!;
      best = Number.isNaN(best) ? v : props.mode === 'max' ? Math.max(best, v) : Math.min(best, v);
      return `${x(j.num)},${y(best)}`;
    });
  return (
    <svg class="objective" width={W} height={H}>
      <polyline class="best" points={bestLine.join(' ')} />
      {pts.map((j) => (
        <circle cx={x(j.num)} cy={y(j.objective!)} r={3} data-num={j.num} class={j.status === 'pruned' ? 'pruned' : undefined} />
      ))}
      <text x={PAD} y={PAD - 10}>
        objective ({props.mode}) over trial; line: best so far{props.jobs.some((j) => j.status === 'pruned') ? '; hollow: pruned (last value reported)' : ''} ·{' '}
        {cellText(lo)} … {cellText(hi)}
      </text>
    </svg>
  );
}

/** A PBT segment's origin in a few words, as `trellis sweep show` gives it. */
function originText(p: PbtLineage): string {
  if (p.by === 'init') return 'init';
  if (p.by === 'exploit' && p.exploit) return `copied m${p.exploit.donor} #${p.exploit.donor_num}`;
  return p.restore === null ? `#${p.parent} (no checkpoint)` : `#${p.restore}`;
}

/**
 * PBT's lineage: one dot per segment, a row per member and a column per generation, coloured by
 * its score; a line from the segment whose checkpoint it started from: its own previous one,
 * or (in orange) the top member's it copied before exploring. A dot links to its run.
 */
function LineageChart(props: { jobs: Job[]; dir: string; mode: string }) {
  const segments = props.jobs.filter((j): j is Job & { pbt: PbtLineage } => j.pbt !== undefined);
  const members = Math.max(...segments.map((j) => j.pbt.member)) + 1;
  const generations = Math.max(...segments.map((j) => j.pbt.generation)) + 1;
  const byNum = new Map(segments.map((j) => [j.num, j]));
  const x = (g: number) => PAD + 40 + (g * (W - 2 * PAD - 40)) / Math.max(1, generations - 1);
  const y = (m: number) => PAD + (m * (H - 2 * PAD)) / Math.max(1, members - 1);
  const scores = segments.map((j) => j.objective).filter((v): v is number => typeof v === 'number');
  const [lo, hi] = [Math.min(...scores), Math.max(...scores)];
  // 1: the best score of the sweep, 0: the worst.
  const goodness = (v: number | null) => (v === null ? 0 : hi === lo ? 1 : props.mode === 'max' ? (v - lo) / (hi - lo) : (hi - v) / (hi - lo));
  return (
    <svg class="lineage" width={W} height={H + 20}>
      <text x={PAD} y={14}>
        PBT lineage: member × generation; orange: copied a top member's checkpoint and config, then explored
      </text>
      {Array.from({ length: members }, (_, m) => (
        <text x={4} y={y(m) + 4} class="tick">
          m{m}
        </text>
      ))}
      {Array.from({ length: generations }, (_, g) => (
        <text x={x(g)} y={H - 4} class="tick" text-anchor="middle">
          gen {g}
        </text>
      ))}
      {segments.map((j) => {
        const from = j.pbt.restore === null ? undefined : byNum.get(j.pbt.restore);
        if (!from) return null;
        return (
          <line
            class={j.pbt.by === 'exploit' ? 'edge exploit' : 'edge'}
            data-from={from.num}
            data-to={j.num}
            x1={x(from.pbt.generation)}
            y1={y(from.pbt.member)}
            x2={x(j.pbt.generation)}
            y2={y(j.pbt.member)}
          />
        );
      })}
      {segments.map((j) => {
        const p = j.pbt;
        const explored = p.exploit
          ? ` → ${Object.entries(p.exploit.new)
              .map(([k, v]) => `${k}=${cellText(v)}`)
              .join(' ')}`
          : '';
        const title = `#${j.num} m${p.member} gen ${p.generation}, steps ${p.start}–${p.end}: ${cellText(j.objective)} (${originText(p)}${explored})`;
        const dot = (
          <circle class="segment" data-num={j.num} cx={x(p.generation)} cy={y(p.member)} r={6} style={{ fillOpacity: 0.25 + 0.75 * goodness(j.objective) }}>
            <title>{title}</title>
          </circle>
        );
        return j.dir ? <a href={hrefOf('run', { run: `${props.dir}/${j.dir}` })}>{dot}</a> : dot;
      })}
    </svg>
  );
}

export function SweepView(props: { params: URLSearchParams }) {
  const dir = props.params.get('dir') ?? '';
  const [list, setList] = useState<string[]>([]);
  const [data, setData] = useState<SweepData | null>(null);
  const [error, setError] = useState('');
  const [brushes, setBrushes] = useState<Record<string, [number, number]>>({});
  useEffect(() => {
    getJson<{ sweeps: string[] }>('/api/sweeps').then(
      (s) => setList(s.sweeps),
      (e: Error) => setError(e.message),
    );
  }, []);
  useEffect(() => {
    setBrushes({});
    if (dir) getJson<SweepData>('/api/sweep', { dir }).then(setData, (e: Error) => setError(e.message));
  }, [dir]);
  const jobs = data?.record.jobs ?? [];
  const pbt = jobs.some((j) => j.pbt);
  const names = [...new Set(jobs.flatMap((j) => Object.keys(paramsOf(j))))];
  const axes = [...names, 'objective'].map((n) =>
    axisOf(
      n,
      jobs.map((j) => (n === 'objective' ? j.objective : paramsOf(j)[n])),
    ),
  );
  const shown = jobs.filter((j) =>
    axes.every((a) => !brushes[a.name] || within(a.scale(a.name === 'objective' ? j.objective : paramsOf(j)[a.name]), brushes[a.name]!)),
  );
  return (
    <article class="sweep">
      <label>
        sweep{' '}
        <select id="sweep-select" value={dir} onChange={(e) => setParams({ dir: (e.target as HTMLSelectElement).value })}>
          <option value="">choose…</option>
          {list.map((s) => (
            <option value={s}>{s}</option>
          ))}
        </select>
      </label>
      {error && <div class="problem">{error}</div>}
      {data && (
        <>
          <p>
            {data.record.strategy} · {jobs.length} jobs · objective {data.record.objective.name ?? '(none)'} ({data.record.objective.mode})
          </p>
          <ObjectiveChart jobs={jobs} mode={data.record.objective.mode} />
          {pbt && <LineageChart jobs={jobs} dir={dir} mode={data.record.objective.mode} />}
          <ParallelCoordinates
            jobs={jobs}
            brushes={brushes}
            onBrush={(name, range) =>
              setBrushes((b) => {
                const next = { ...b };
                if (range) next[name] = range;
                else delete next[name];
                return next;
              })
            }
          />
          <table class="jobs" id="jobs">
            <tr>
              <th>#</th>
              <th>status</th>
              {pbt && (
                <>
                  <th>member</th>
                  <th>gen</th>
                  <th>steps</th>
                  <th>from</th>
                </>
              )}
              <th>overrides</th>
              <th>objective</th>
            </tr>
            {shown.map((j) => (
              <tr data-num={j.num}>
                <td>{j.num}</td>
                <td class={`status ${j.status}`} title={j.pruned?.reason}>
                  {j.status}
                  {j.pruned && <span class="muted"> at step {j.pruned.step}</span>}
                </td>
                {pbt && (
                  <>
                    <td>{j.pbt ? `m${j.pbt.member}` : ''}</td>
                    <td>{j.pbt?.generation ?? ''}</td>
                    <td>{j.pbt ? `${j.pbt.start}–${j.pbt.end}` : ''}</td>
                    <td class="origin">{j.pbt ? originText(j.pbt) : ''}</td>
                  </>
                )}
                <td>{j.dir ? <a href={hrefOf('run', { run: `${dir}/${j.dir}` })}>{j.overrides.join(' ')}</a> : j.overrides.join(' ')}</td>
                <td class="num">{cellText(j.objective)}</td>
              </tr>
            ))}
          </table>
        </>
      )}
    </article>
  );
}
