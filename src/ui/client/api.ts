/** Calls to the server: the token from the page's URL goes in a header with every request. */
const token = new URLSearchParams(location.search).get('token') ?? '';

class ApiError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly hint: string | null,
  ) {
    super(message);
  }
}

async function check(res: Response): Promise<Response> {
  if (res.ok) return res;
  let body: { error?: { code: string; message: string; hint: string | null } } = {};
  try {
    body = (await res.json()) as typeof body;
  } catch {
    // not JSON: the status says enough
  }
  throw new ApiError(body.error?.message ?? `HTTP ${res.status}`, body.error?.code ?? String(res.status), body.error?.hint ?? null);
}

type Query = Record<string, string | number>;

const urlOf = (path: string, params: Query) => `${path}?${new URLSearchParams(Object.entries(params).map(([k, v]) => [k, String(v)]))}`;

/**
 * Requests started before the page rendered, each taken by the first call for the same URL
 * within a few seconds (later, its answer may be old).
 */
const early = new Map<string, { response: Promise<Response>; at: number }>();
const EARLY_MS = 5000;

const request = (url: string) => fetch(url, { headers: { 'x-trellis-token': token } });

function take(url: string): Promise<Response> {
  const started = early.get(url);
  early.delete(url);
  return started && performance.now() - started.at < EARLY_MS ? started.response : request(url);
}

/**
 * Starts a GET now, for a component that will ask for the same URL once rendered: the server
 * works while the page's script runs and renders (what the first paint waits for).
 */
export function prefetch(path: string, params: Query): void {
  const url = urlOf(path, params);
  if (!early.has(url)) early.set(url, { response: request(url), at: performance.now() });
}

export async function getJson<T>(path: string, params: Query = {}): Promise<T> {
  const res = await take(urlOf(path, params));
  return (await (await check(res)).json()) as T;
}

export async function postJson<T>(path: string, body: unknown): Promise<T> {
  const res = await fetch(path, { method: 'POST', headers: { 'x-trellis-token': token, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return (await (await check(res)).json()) as T;
}

export function artifactUrl(run: string, path: string): string {
  return `/api/artifact?${new URLSearchParams({ token, run, path })}`;
}

export interface CurveData {
  run: string;
  metric: string;
  points: number;
  bucketed: boolean;
  x: Float64Array;
  y: Float64Array | Float32Array;
  min: Float64Array | Float32Array;
  max: Float64Array | Float32Array;
  smooth: Float64Array | Float32Array;
}

export interface CurvesAnswer {
  curves: CurveData[];
  /** The runs asked for that are still running. */
  running: string[];
}

/** Reads the binary curves message (server: src/ui/curves.ts encodeCurves, where the layout is described). */
function decodeCurves(buffer: ArrayBuffer): CurvesAnswer {
  const view = new DataView(buffer);
  const headerLength = view.getUint32(0, true);
  const header = JSON.parse(new TextDecoder().decode(new Uint8Array(buffer, 4, headerLength))) as {
    curves: Array<{ run: string; metric: string; points: number; bucketed: boolean; n: number; x: number; columns: Record<string, 4 | 8> }>;
    running: string[];
  };
  const padded = (offset: number) => Math.ceil(offset / 8) * 8;
  let offset = padded(4 + headerLength);
  const block = (n: number, width: 4 | 8) => {
    const data = width === 8 ? new Float64Array(buffer, offset, n) : new Float32Array(buffer, offset, n);
    offset = padded(offset + n * width);
    return data;
  };
  const out: CurveData[] = [];
  header.curves.forEach((c, i) => {
    const x = c.x === i ? (block(c.n, 8) as Float64Array) : out[c.x]!.x;
    const y = block(c.n, c.columns.y ?? 8);
    const column = (name: string) => (c.columns[name] ? block(c.n, c.columns[name]) : y);
    const min = column('min');
    const max = column('max');
    out.push({ run: c.run, metric: c.metric, points: c.points, bucketed: c.bucketed, x, y, min, max, smooth: column('smooth') });
  });
  return { curves: out, running: header.running };
}

export async function getCurves(params: Query): Promise<CurvesAnswer> {
  const res = await take(urlOf('/api/curves', params));
  return decodeCurves(await (await check(res)).arrayBuffer());
}

/** Same shape as the server's UiRow (src/ui/run-rows.ts). */
export interface UiRow {
  key: string;
  id: string | null;
  name: string | null;
  status: string;
  reason: string | null;
  started: string | null;
  duration_s: number | null;
  tags: string[];
  notes: string[];
  overrides: string[];
  sweep: { dir: string; num: number } | null;
  config: Record<string, unknown>;
  metrics: Record<string, { last: unknown; min: unknown; max: unknown }>;
}

export interface QueryProblem {
  code: string;
  message: string;
  hint: string | null;
  col: number | null;
  length: number | null;
}

export interface RunsPage {
  total: number;
  matched: number;
  offset: number;
  rows: UiRow[];
  keys: string[];
  varying: string[];
  metrics: string[];
  problems: QueryProblem[];
}
