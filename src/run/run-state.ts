/** What a reader concludes from run.json: `crashed` is a run still marked running whose heartbeat stopped. */
export type ObservedStatus = 'running' | 'completed' | 'failed' | 'interrupted' | 'pruned' | 'crashed' | 'unknown';

/** A heartbeat older than this many intervals means the process is gone. */
const MISSED_BEATS = 3;

export function observedStatus(runJson: { status?: unknown; heartbeat?: unknown; heartbeat_interval_s?: unknown }, now: Date = new Date()): ObservedStatus {
  const status = runJson.status;
  if (status === 'completed' || status === 'failed' || status === 'interrupted' || status === 'pruned') return status;
  if (status !== 'running') return 'unknown';
  const beat = typeof runJson.heartbeat === 'string' ? Date.parse(runJson.heartbeat) : NaN;
  const interval = typeof runJson.heartbeat_interval_s === 'number' ? runJson.heartbeat_interval_s : 5;
  if (Number.isNaN(beat)) return 'unknown';
  return now.getTime() - beat > MISSED_BEATS * interval * 1000 ? 'crashed' : 'running';
}
