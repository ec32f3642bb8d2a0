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

export async function getJson<T>(path: string, params: Record<string, string | number> = {}): Promise<T> {
  const q = new URLSearchParams(Object.entries(params).map(([k, v]) => [k, String(v)]));
  const res = await fetch(`${path}?${q}`, { headers: { 'x-trellis-token': token } });
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
  y: Float64Array;
  min: Float64Array;
  max: Float64Array;
  smooth: Float64Array;
}

/** Reads the binary curves message (server: src/ui/curves.ts encodeCurves). */
function decodeCurves(buffer: ArrayBuffer): CurveData[] {
  const view = new DataView(buffer);
  const headerLength = view.getUint32(0, true);
  const header = JSON.parse(new TextDecoder().decode(new Uint8Array(buffer, 4, headerLength))) as {
    columns: string[];
    curves: Array<{ run: string; metric: string; points: number; bucketed: boolean; n: number }>;
  };
  let offset = Math.ceil((4 + headerLength) / 8) * 8;
  return header.curves.map((c) => {
    const columns: Record<string, Float64Array> = {};
    for (const name of header.columns) {
      columns[name] = new Float64Array(buffer, offset, c.n);
      offset += c.n * 8;
    }
    return { ...c, x: columns.x!, y: columns.y!, min: columns.min!, max: columns.max!, smooth: columns.smooth! };
  });
}

export async function getCurves(params: Record<string, string | number>): Promise<CurveData[]> {
  const q = new URLSearchParams(Object.entries(params).map(([k, v]) => [k, String(v)]));
  const res = await fetch(`/api/curves?${q}`, { headers: { 'x-trellis-token': token } });
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
