import type { Composition } from '../compose/compose.js';
import { mergeRoot } from '../compose/merge.js';
import { selectNode, type ResolveContext } from '../interpolate/index.js';
import { formatOverrideForJob, type Override } from '../overrides/index.js';
import { cloneNode, dictNode, fromPlain, setKey, type DictNode, type Node } from '../tree/node.js';

const DEFAULT_RUN_DIR = 'outputs/${now:%Y-%m-%d}/${now:%H-%M-%S}';
const DEFAULT_SWEEP_DIR = 'multirun/${now:%Y-%m-%d}/${now:%H-%M-%S}';
const DEFAULT_SWEEP_SUBDIR = '${trellis.job.num}';

/** Hydra's `job.override_dirname`: the task overrides as `key=value`, sorted, comma-joined. */
function overrideDirname(overrides: readonly Override[], excludeKeys: readonly string[] = []): string {
  return overrides
    .filter((o) => !o.isSweep && !excludeKeys.includes(o.key) && !/^(hydra|trellis)[./]/.test(o.key))
    .map((o) => formatOverrideForJob(o))
    .sort()
    .join(',');
}

export interface JobIdentity {
  /** `job.name`: the app's name (Hydra uses the script name). */
  name: string;
  configName: string;
  configDir: string;
  /** Job number in a sweep (0 for a single run). */
  num?: number | undefined;
}

/** The runtime node (`${hydra:…}`, `${trellis:…}`) with what trellis computes, before resolution. */
export function runtimeOf(composition: Composition, job: JobIdentity): DictNode {
  const computed = fromPlain({
    run: { dir: DEFAULT_RUN_DIR },
    sweep: { dir: DEFAULT_SWEEP_DIR, subdir: DEFAULT_SWEEP_SUBDIR },
    job: { name: job.name, num: job.num ?? 0, chdir: false },
  }) as DictNode;
  const runtime = mergeRoot(computed, composition.runtime) as DictNode;
  return mergeRoot(
    runtime,
    fromPlain({
      job: { override_dirname: overrideDirname(composition.overrides), config_name: job.configName },
      runtime: { choices: composition.choices, config_dir: job.configDir },
    }),
  ) as DictNode;
}

/**
 * Resolves the runtime node the way Hydra does: inside the full config, where `hydra`/`trellis`
 * sit next to the job's keys, so `${hydra.job.name}` and `${now:…}` work in run.dir.
 */
export function resolveRuntime(config: DictNode, runtime: DictNode, ctx: ResolveContext): Node {
  const full = cloneNode(config);
  setKey(full, 'hydra', runtime);
  setKey(full, 'trellis', runtime);
  return selectNode(full, 'trellis', { ...ctx, runtime }) ?? dictNode();
}
