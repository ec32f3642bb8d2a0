import { parseKeyPath } from '../util/key-path.js';

/**
 * What a name in a query or a `--sort` key refers to. Run fields (status, tags, started…) are
 * checked by type when the query is parsed; config values, metrics and return values are typed
 * per run, since two runs may record different things.
 */
export type RunFieldType = 'status' | 'string' | 'list' | 'time' | 'duration' | 'number';

export const RUN_FIELDS: Record<string, { type: RunFieldType; canonical: string }> = Object.assign(
  Object.create(null) as Record<string, { type: RunFieldType; canonical: string }>,
  {
    status: { type: 'status', canonical: 'status' },
    id: { type: 'string', canonical: 'id' },
    name: { type: 'string', canonical: 'name' },
    host: { type: 'string', canonical: 'host' },
    dir: { type: 'string', canonical: 'dir' },
    entry: { type: 'string', canonical: 'entry' },
    error: { type: 'string', canonical: 'error' },
    reason: { type: 'string', canonical: 'reason' },
    sweep: { type: 'string', canonical: 'sweep' },
    job: { type: 'number', canonical: 'job' },
    reproduces: { type: 'string', canonical: 'reproduces' },
    tags: { type: 'list', canonical: 'tags' },
    tag: { type: 'list', canonical: 'tags' },
    notes: { type: 'list', canonical: 'notes' },
    note: { type: 'list', canonical: 'notes' },
    overrides: { type: 'list', canonical: 'overrides' },
    override: { type: 'list', canonical: 'overrides' },
    started: { type: 'time', canonical: 'started' },
    start: { type: 'time', canonical: 'started' },
    ended: { type: 'time', canonical: 'ended' },
    end: { type: 'time', canonical: 'ended' },
    heartbeat: { type: 'time', canonical: 'heartbeat' },
    duration: { type: 'duration', canonical: 'duration' },
    duration_s: { type: 'duration', canonical: 'duration' },
    exit_code: { type: 'number', canonical: 'exit_code' },
  },
);

/** The statistics summary.json keeps per metric. */
export const METRIC_STATS = ['last', 'min', 'max', 'count', 'last_step', 'min_step', 'max_step'] as const;
export type MetricStat = (typeof METRIC_STATS)[number];

export type FieldRef =
  | { ns: 'run'; name: string; type: RunFieldType; text: string }
  /** `metric.NAME.STAT`, or `NAME.STAT` when the run logged NAME. */
  | { ns: 'metric'; name: string; stat: MetricStat; text: string }
  | { ns: 'result'; path: string[]; text: string }
  | { ns: 'config'; path: string[]; text: string }
  /**
   * A name without a namespace: a config value if the run has it, else a metric (`NAME` is its
   * last value, `NAME.STAT` a statistic), else the job's return value.
   */
  | {
      ns: 'auto';
      path: string[];
      text: string;
      /** The path as a metric name (looked up for every run, so joined once). */
      metric: string;
      /** `NAME.STAT` as a metric statistic, when the last segment names one. */
      stat?: { name: string; stat: MetricStat };
    };

/** `a.b[0].c` → ['a', 'b', '0', 'c']; '' is the key '' (not the root), so it is looked up and not found. */
export function splitPath(text: string): string[] {
  return text === '' ? [''] : parseKeyPath(text);
}

const isStat = (s: string | undefined): s is MetricStat => s !== undefined && (METRIC_STATS as readonly string[]).includes(s);

/** Resolves a field name; undefined when it is not a well-formed name. */
export function fieldRef(text: string): FieldRef | undefined {
  if (!/^[A-Za-z_$][\w$\-/]*(?:(?:\.[\w$\-/]+)|\[\d+\])*$/.test(text)) return undefined;
  const path = splitPath(text);
  const [head, ...rest] = path;
  if (head === undefined) return undefined;
  if (rest.length === 0 && RUN_FIELDS[head]) return { ns: 'run', name: RUN_FIELDS[head].canonical, type: RUN_FIELDS[head].type, text };
  if (head === 'run' && rest.length === 1 && RUN_FIELDS[rest[0]!]) {
    const f = RUN_FIELDS[rest[0]!]!;
    return { ns: 'run', name: f.canonical, type: f.type, text };
  }
  if ((head === 'config' || head === 'cfg') && rest.length) return { ns: 'config', path: rest, text };
  if (head === 'result' && rest.length) return { ns: 'result', path: rest, text };
  if ((head === 'metric' || head === 'metrics') && rest.length) {
    const last = rest[rest.length - 1];
    if (rest.length > 1 && isStat(last)) return { ns: 'metric', name: rest.slice(0, -1).join('.'), stat: last, text };
    return { ns: 'metric', name: rest.join('.'), stat: 'last', text };
  }
  const last = path[path.length - 1];
  const stat = path.length > 1 && isStat(last) ? { name: path.slice(0, -1).join('.'), stat: last } : undefined;
  return { ns: 'auto', path, text, metric: path.join('.'), ...(stat && { stat }) };
}

/** Plain-value lookup by path segments; numeric segments index lists. undefined when absent. */
export function getPath(value: unknown, path: readonly string[]): unknown {
  let cur = value;
  for (const seg of path) {
    if (Array.isArray(cur)) {
      if (!/^\d+$/.test(seg)) return undefined;
      cur = cur[Number(seg)];
    } else if (cur !== null && typeof cur === 'object' && Object.hasOwn(cur, seg)) {
      cur = (cur as Record<string, unknown>)[seg];
    } else return undefined;
  }
  return cur;
}
