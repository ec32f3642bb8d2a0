import { composeFromDir, resolveComposition } from '../../api/compose-dir.js';
import { selectPath } from '../../api/select.js';
import { TrellisError } from '../../errors/index.js';
import { listNode, dictNode, setKey, valueNode, type DictNode, type Node } from '../../tree/node.js';
import { toJsonText, toYamlText } from '../../tree/emit.js';
import type { ParsedArgv } from '../argv.js';
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

  const render = (config: DictNode, runtime: DictNode, choices: Record<string, string | null>): Node => {
    const output = resolve ? resolveComposition({ config, runtime, choices }, { env: io.env }) : config;
    if (pkg === undefined) return output;
    const selected = selectPath(output, pkg, { env: io.env, runtime, choices, resolve });
    if (selected === undefined) {
      throw new TrellisError('KEY_NOT_FOUND', `--package ${pkg}: no such key in the composed config`, { keyPath: pkg });
    }
    return selected;
  };

  if (!flags.multirun) {
    const composition = composeFromDir({ ...base, overrides });
    io.stdout(emit(render(composition.config, composition.runtime, composition.choices), format));
    return 0;
  }
  const { expandJobs } = await import('../../api/multirun.js');
  const jobs = listNode();
  for (const job of expandJobs({ ...base, overrides })) {
    const composition = composeFromDir({ ...base, overrides: job });
    const entry = dictNode();
    setKey(entry, 'overrides', listNode(job.map((o) => valueNode(o))));
    setKey(entry, 'config', render(composition.config, composition.runtime, composition.choices));
    jobs.items.push(entry);
  }
  io.stdout(emit(jobs, format));
  return 0;
}
