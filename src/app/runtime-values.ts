import { formatOverrideForJob, type Override } from '../overrides/index.js';

/** Hydra's `job.override_dirname`: the task overrides as `key=value`, sorted, comma-joined. */
export function overrideDirname(overrides: readonly Override[], excludeKeys: readonly string[] = []): string {
  return overrides
    .filter((o) => !o.isSweep && !excludeKeys.includes(o.key) && !/^(hydra|trellis)[./]/.test(o.key))
    .map((o) => formatOverrideForJob(o))
    .sort()
    .join(',');
}

export const DEFAULT_RUN_DIR = 'outputs/${now:%Y-%m-%d}/${now:%H-%M-%S}';
export const DEFAULT_SWEEP_DIR = 'multirun/${now:%Y-%m-%d}/${now:%H-%M-%S}';
export const DEFAULT_SWEEP_SUBDIR = '${trellis.job.num}';
