import type { Composition } from '../compose/compose.js';
import { mergeRoot } from '../compose/merge.js';
import { selectNode, type ResolveContext } from '../interpolate/index.js';
import { formatOverrideForJob, type Override } from '../overrides/index.js';
import { cloneNode, dictNode, fromPlain, setKey, type DictNode, type Node } from '../tree/node.js';
import type { PathSegment } from '../util/key-path.js';

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
  /** `runtime.cwd`: where the app was launched (absolute). */
  cwd?: string | undefined;
  /** `runtime.output_dir`: the run's directory (absolute), once known. */
  outputDir?: string | undefined;
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
      runtime: {
        choices: composition.choices,
        config_dir: job.configDir,
        ...(job.cwd === undefined ? {} : { cwd: job.cwd }),
        ...(job.outputDir === undefined ? {} : { output_dir: job.outputDir }),
      },
    }),
  ) as DictNode;
}

/** The config with the unresolved runtime node beside its keys, where Hydra resolves that node. */
export function runtimeRootOf(config: DictNode, runtime: DictNode): DictNode {
  const full = cloneNode(config);
  setKey(full, 'hydra', runtime);
  setKey(full, 'trellis', runtime);
  return full;
}

/** A context whose `${hydra:…}` resolves runtime values lazily, inside the whole config. */
export function runtimeContext(config: DictNode, runtime: DictNode, base: ResolveContext): ResolveContext {
  return { ...base, runtime, runtimeRoot: runtimeRootOf(config, runtime) };
}

/** One runtime value (`run.dir`, `sweep.subdir`), resolved strictly: its errors are the user's to see. */
export function runtimeValue(ctx: ResolveContext, path: string): Node | undefined {
  return ctx.runtimeRoot ? selectNode(ctx.runtimeRoot, `trellis.${path}`, ctx) : undefined;
}

/**
 * The runtime node for printing and records, each value resolved on its own: one that cannot be
 * resolved (it names a key the job never set) stays as written, as Hydra leaves what it never reads.
 */
export function resolveRuntime(ctx: ResolveContext): Node {
  const root = ctx.runtimeRoot;
  const raw = root?.kind === 'dict' ? root.entries.get('trellis')?.node : undefined;
  if (!root || !raw) return dictNode();
  const copy = (node: Node, path: PathSegment[]): Node => {
    if (node.kind === 'dict') {
      const out = dictNode();
      out.origin = node.origin;
      for (const [id, entry] of node.entries) out.entries.set(id, { ...entry, node: copy(entry.node, [...path, entry.key as PathSegment]) });
      return out;
    }
    if (node.kind === 'list') return { ...node, items: node.items.map((item, i) => copy(item, [...path, i])) };
    if (typeof node.value !== 'string' || !node.value.includes('${')) return node;
    try {
      return selectNode(root, ['trellis', ...path], ctx) ?? node;
    } catch {
      return node;
    }
  };
  return copy(raw, []);
}
