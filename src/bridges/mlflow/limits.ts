/**
 * MLflow's limits on what a run may hold, as mlflow/utils/validation.py sets them. The file store
 * and the REST server both check them; values over a limit are cut (as MLflow's own
 * MLFLOW_TRUNCATE_LONG_VALUES does) and each cut is reported, so the exporter can tag it.
 */
export const MLFLOW_LIMITS = {
  /** MAX_ENTITY_KEY_LENGTH: param, metric and tag names. */
  key: 250,
  /** MAX_PARAM_VAL_LENGTH. */
  paramValue: 6000,
  /** MAX_TAG_VAL_LENGTH. */
  tagValue: 5000,
  /** MAX_PARAMS_TAGS_PER_BATCH, MAX_METRICS_PER_BATCH, MAX_ENTITIES_PER_BATCH: one runs/log-batch request. */
  batchParams: 100,
  batchTags: 100,
  batchMetrics: 1000,
  batchEntities: 1000,
} as const;

// _VALID_PARAM_AND_METRIC_NAMES: Python's \w is Unicode-aware, so letters and digits of any script count.
const VALID_NAME = /^[/\p{L}\p{N}\p{M}_.\- ]*$/u;
const INVALID_CHAR = /[^/\p{L}\p{N}\p{M}_.\- ]/gu;

/**
 * validation.py's path_not_unique: a name is stored as a file path, so it must be its own
 * normal form (no `a//b`, `./a`, `a/..`, trailing `/`) and must not climb out or start at `/`.
 */
function pathNotUnique(name: string): boolean {
  if (name === '' || name.startsWith('/')) return true;
  const parts = name.split('/');
  return parts.some((p, i) => p === '' || p === '.' || p === '..' || (i === parts.length - 1 && p === ''));
}

export function isValidName(name: string): boolean {
  return VALID_NAME.test(name) && !pathNotUnique(name) && [...name].length <= MLFLOW_LIMITS.key;
}

/**
 * A name MLflow accepts for `name`: characters it forbids become `_`, path pieces it would
 * normalise (`.`, `..`, empty) become `_`, and the result is cut to MAX_ENTITY_KEY_LENGTH.
 */
export function safeName(name: string): string {
  let out = name.replace(INVALID_CHAR, '_');
  out = out
    .split('/')
    .map((p) => (p === '' || p === '.' || p === '..' ? '_' : p))
    .join('/');
  return [...out].slice(0, MLFLOW_LIMITS.key).join('');
}

/** `text` cut to `limit` characters (Python counts code points), and its length before. */
export function cut(text: string, limit: number): { text: string; length: number; cut: boolean } {
  if (text.length <= limit) return { text, length: text.length, cut: false };
  const points = [...text];
  return points.length <= limit ? { text, length: points.length, cut: false } : { text: points.slice(0, limit).join(''), length: points.length, cut: true };
}
