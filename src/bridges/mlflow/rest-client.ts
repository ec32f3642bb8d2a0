import { TrellisError } from '../../errors/index.js';
import { MLFLOW_LIMITS } from './limits.js';
import type { KeyValue, MetricPoint, MlflowRun } from './run-data.js';

/**
 * The same runs, through a tracking server's REST API (MLflow's rest-api docs, /api/2.0/mlflow/):
 * experiments/get-by-name and experiments/create, runs/search, runs/create, runs/log-batch within
 * its limits, runs/update. The server picks run ids, so a run carries its stable export id as a
 * tag and is looked up by it; the number of metric points already sent is a tag too, so a second
 * export sends only points logged since (metrics.jsonl only grows) and never duplicates one.
 */
const EXPORT_TAGS = { id: 'trellis.export_id', metricsSent: 'trellis.export_metrics_sent' } as const;

/** MAX_BATCH_LOG_REQUEST_SIZE is 1e6 bytes; keep a margin for the envelope. */
const MAX_BATCH_BYTES = 990_000;

type Fetch = typeof fetch;

export class MlflowRestClient {
  private readonly base: string;
  constructor(
    trackingUri: string,
    private readonly fetchImpl: Fetch = fetch,
  ) {
    let url: URL;
    try {
      url = new URL(trackingUri);
    } catch {
      throw new TrellisError('USAGE', `--tracking-uri must be an http(s) URL, got '${trackingUri}'`, { hint: 'e.g. --tracking-uri http://127.0.0.1:5000' });
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new TrellisError('USAGE', `--tracking-uri must be an http(s) URL, got '${trackingUri}'`, { hint: 'for a file store, use --to DIR' });
    }
    this.base = `${trackingUri.replace(/\/+$/, '')}/api/2.0/mlflow/`;
  }

  private async call(method: 'GET' | 'POST', path: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
    let res: Response;
    try {
      res = await this.fetchImpl(this.base + path, {
        method,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (e) {
      throw new TrellisError('RUN_IO', `Cannot reach the MLflow server at ${this.base}`, {
        hint: 'is it running? e.g. mlflow server --host 127.0.0.1 --port 5000',
        cause: e,
      });
    }
    const text = await res.text();
    let json: Record<string, unknown> = {};
    try {
      json = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    } catch {
      json = { message: text.slice(0, 200) };
    }
    return { status: res.status, json };
  }

  private async ok(method: 'GET' | 'POST', path: string, body?: unknown): Promise<Record<string, unknown>> {
    const { status, json } = await this.call(method, path, body);
    if (status >= 200 && status < 300) return json;
    throw new TrellisError('RUN_IO', `MLflow server: ${path} answered ${status} ${String(json.error_code ?? '')}: ${String(json.message ?? '')}`.trim(), {
      hint: 'check the server’s log; the request followed MLflow’s REST API 2.0',
    });
  }

  async experimentId(name: string): Promise<string> {
    const found = await this.call('GET', `experiments/get-by-name?experiment_name=${encodeURIComponent(name)}`);
    const experiment = found.json.experiment as { experiment_id?: string } | undefined;
    if (found.status === 200 && experiment?.experiment_id) return experiment.experiment_id;
    if (found.status !== 404) {
      throw new TrellisError('RUN_IO', `MLflow server: experiments/get-by-name answered ${found.status}: ${String(found.json.message ?? '')}`);
    }
    const created = await this.ok('POST', 'experiments/create', { name });
    return String(created.experiment_id);
  }

  /** The server's run with our export id, and the tags it has, or null. */
  private async findRun(experimentId: string, exportId: string): Promise<{ runId: string; tags: Map<string, string> } | null> {
    const found = await this.ok('POST', 'runs/search', {
      experiment_ids: [experimentId],
      filter: `tags.\`${EXPORT_TAGS.id}\` = '${exportId}'`,
      max_results: 1,
      run_view_type: 'ACTIVE_ONLY',
    });
    const run = (found.runs as Array<{ info: { run_id: string }; data?: { tags?: KeyValue[] } }> | undefined)?.[0];
    if (!run) return null;
    return { runId: run.info.run_id, tags: new Map((run.data?.tags ?? []).map((t) => [t.key, t.value])) };
  }

  /**
   * Creates or updates `run` on the server; returns the server's run id. `parentIds` maps our
   * derived ids to the server's, for `mlflow.parentRunId`.
   */
  async exportRun(
    experimentId: string,
    run: MlflowRun,
    parentIds: ReadonlyMap<string, string>,
  ): Promise<{ runId: string; created: boolean; metricsSent: number }> {
    const existing = await this.findRun(experimentId, run.runId);
    let runId: string;
    if (existing) runId = existing.runId;
    else {
      const created = await this.ok('POST', 'runs/create', {
        experiment_id: experimentId,
        run_name: run.name,
        start_time: run.startTime,
        tags: [{ key: EXPORT_TAGS.id, value: run.runId }],
      });
      runId = (created.run as { info: { run_id: string } }).info.run_id;
    }
    const sent = Number(existing?.tags.get(EXPORT_TAGS.metricsSent) ?? 0);
    const tags = run.tags.map((t) => (t.key === 'mlflow.parentRunId' ? { key: t.key, value: parentIds.get(t.value) ?? t.value } : t));
    const metrics = run.metrics.slice(Number.isSafeInteger(sent) && sent > 0 ? sent : 0);
    for (const batch of batches(run.params, tags, metrics, sent)) await this.ok('POST', 'runs/log-batch', { run_id: runId, ...batch });
    const update: Record<string, unknown> = { run_id: runId, status: run.status, run_name: run.name };
    if (run.endTime !== null) update.end_time = run.endTime;
    await this.ok('POST', 'runs/update', update);
    return { runId, created: !existing, metricsSent: metrics.length };
  }
}

interface Batch {
  metrics: MetricPoint[];
  params: KeyValue[];
  tags: KeyValue[];
}

/** Non-finite doubles as protobuf's JSON mapping spells them. */
const metricJson = (m: MetricPoint) => ({ ...m, value: Number.isFinite(m.value) ? m.value : String(m.value) });

/**
 * log-batch requests within _validate_batch_log_limits (≤ 100 params, ≤ 100 tags, ≤ 1000
 * metrics, ≤ 1000 in all) and MAX_BATCH_LOG_REQUEST_SIZE. Params and tags go first; every batch
 * with metrics also sets the count of points sent so far, so an export cut short resumes there.
 */
function batches(params: readonly KeyValue[], tags: readonly KeyValue[], metrics: readonly MetricPoint[], alreadySent = 0): Batch[] {
  const out: Batch[] = [];
  let current: Batch = { metrics: [], params: [], tags: [] };
  let bytes = 0;
  const size = (v: unknown) => Buffer.byteLength(JSON.stringify(v)) + 1;
  const flush = () => {
    if (current.metrics.length + current.params.length + current.tags.length) out.push(current);
    current = { metrics: [], params: [], tags: [] };
    bytes = 0;
  };
  const fits = (kind: keyof Batch, n: number, limit: number) =>
    current[kind].length < limit &&
    current.metrics.length + current.params.length + current.tags.length < MLFLOW_LIMITS.batchEntities - 1 &&
    bytes + n <= MAX_BATCH_BYTES;
  for (const p of params) {
    const n = size(p);
    if (!fits('params', n, MLFLOW_LIMITS.batchParams)) flush();
    current.params.push(p);
    bytes += n;
  }
  for (const t of tags) {
    const n = size(t);
    if (!fits('tags', n, MLFLOW_LIMITS.batchTags)) flush();
    current.tags.push(t);
    bytes += n;
  }
  let sent = alreadySent;
  const countTag = (): KeyValue => ({ key: EXPORT_TAGS.metricsSent, value: String(sent) });
  const closeMetrics = () => {
    if (current.metrics.length) current.tags.push(countTag());
    flush();
  };
  for (const m of metrics) {
    const json = metricJson(m);
    const n = size(json);
    // One tag slot stays free for the count.
    if (!fits('metrics', n + 80, MLFLOW_LIMITS.batchMetrics) || current.tags.length >= MLFLOW_LIMITS.batchTags) closeMetrics();
    current.metrics.push(json as MetricPoint);
    bytes += n;
    sent++;
  }
  closeMetrics();
  return out;
}
