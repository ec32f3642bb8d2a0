import { composeFromDir, openConfigDir, resolveComposition, selectComposed } from '../../config-dir/compose-dir.js';
import { selectPath } from '../../config-dir/select.js';
import { listNode, dictNode, setKey, valueNode, type Node } from '../../tree/node.js';
import type { Composition } from '../../compose/compose.js';
import { toJsonText, toYamlText } from '../../tree/emit.js';
import type { ParsedArgv } from '../../console/argv.js';
import type { CliIo } from '../io.js';

function emit(node: Node, format: string): string {
  return format === 'json' ? `${toJsonText(node)}\n` : toYamlText(node);
}

export async function run(args: ParsedArgv, io: CliIo): Promise<number> {
  const { flags, overrides } = args;
  const configDir = String(flags['config-dir'] ?? 'conf');
  const configName = String(flags['config-name'] ?? 'config');
  const format = String(flags.format ?? 'yaml');
  const resolve = Boolean(flags.resolve);
  const pkg = typeof flags.package === 'string' && flags.package !== '' ? flags.package : undefined;
  const base = { configDir, configName, cwd: io.cwd, env: io.env };

  const render = (composition: Composition): Node => {
    const options = { env: io.env, job: { configDir } };
    if (pkg === undefined) return resolve ? resolveComposition(composition, options) : composition.config;
    // Like OmegaConf.select: only the selected node is resolved, and absent or ??? reads as null.
    const selected = resolve ? selectComposed(composition, pkg, options) : selectPath(composition.config, pkg);
    return selected ?? valueNode(null);
  };

  const warned = new Set<string>();
  const warn = (composition: Composition) => {
    for (const warning of composition.warnings) {
      if (!warned.has(warning)) io.stderr(`warning: ${warning}\n`);
      warned.add(warning);
    }
  };
  if (!flags.multirun) {
    const composition = composeFromDir({ ...base, overrides });
    warn(composition);
    io.stdout(emit(render(composition), format));
    return 0;
  }
  // Jobs stream out as they are composed: the first comes at once however large the grid, and
  // memory stays flat (each job is printed, then dropped).
  const { expandJobs } = await import('../../config-dir/multirun.js');
  const repository = openConfigDir(configDir, configName, io.cwd, overrides, io.env);
  let count = 0;
  for (const job of expandJobs({ ...base, overrides, repository })) {
    const composition = composeFromDir({ ...base, overrides: job, repository });
    warn(composition);
    const entry = dictNode();
    setKey(entry, 'overrides', listNode(job.map((o) => valueNode(o))));
    setKey(entry, 'config', render(composition));
    io.stdout(format === 'json' ? jsonListItem(entry, count === 0) : toYamlText(listNode([entry])));
    count += 1;
    if (count % 64 === 0) await io.drain?.();
  }
  if (format === 'json') io.stdout(count ? '\n]\n' : '[]\n');
  else if (!count) io.stdout('[]\n');
  return 0;
}

/** One item of a JSON list printed item by item, as toJsonText prints the whole list (JSON text has no raw newline inside a value). */
function jsonListItem(node: Node, first: boolean): string {
  return `${first ? '[\n' : ',\n'}  ${toJsonText(node).replaceAll('\n', '\n  ')}`;
}
