import { resolveTreeWith } from '../../config-dir/resolve.js';
import { fromPlain, type DictNode } from '../../tree/node.js';
import { toYamlText } from '../../tree/emit.js';
import { loadYaml } from '../../yaml/load.js';
import type { HydraRun } from './read-hydra-run.js';

/**
 * resolved.yaml for an imported run: Hydra saves the config with its interpolations, so they are
 * resolved here against the run's own hydra node (`${hydra:job.name}` and the like). A value that
 * cannot be resolved now (an env var gone, a Python resolver) leaves the text as Hydra saved it.
 */
export function resolveHydraConfig(run: HydraRun): string {
  if (!run.configText.includes('${')) return run.configText;
  try {
    const root = loadYaml(run.configText, 'config.yaml').root;
    const runtime = fromPlain(run.hydra) as DictNode;
    return toYamlText(resolveTreeWith(root, { runtime, choices: run.choices, env: {}, now: new Date(run.start) }));
  } catch {
    return run.configText;
  }
}
