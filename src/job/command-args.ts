import { basename, extname } from 'node:path';
import { mergeRoot } from '../compose/merge.js';
import { createResolveContext } from '../config-dir/resolve.js';
import { TrellisError } from '../errors/index.js';
import { pythonStr, selectNode, type ResolverRegistry } from '../interpolate/index.js';
import { cloneNode, dictNode, fromPlain, listNode, setKey, valueNode, type Node } from '../tree/node.js';

/** Where the command's arguments sit while they resolve: a key no config is expected to use. */
const ARGS_KEY = '__trellis_command_args__';

export interface CommandArgsContext {
  /** The job's resolved config: `${optimizer.lr}`. */
  resolved: Node;
  /** The runtime node: `${trellis:runtime.output_dir}`, `${hydra:job.name}`. */
  runtime: Node;
  outputDir: string;
  cwd: string;
  env: NodeJS.ProcessEnv;
  now: Date;
  resolvers?: ResolverRegistry | undefined;
  /** The job's overrides, appended when `passOverrides` (an unchanged Hydra app composes them itself). */
  overrides: readonly string[];
  passOverrides: boolean;
}

/**
 * The command line a job runs: each `${…}` in the template resolved against the job's config
 * as OmegaConf resolves one inside a string (Python's text for values: `0.001`, `True`), `\${`
 * kept literal, then the job's overrides when they are passed on. Pure.
 */
export function interpolateCommand(template: readonly string[], ctx: CommandArgsContext): string[] {
  const root = ctx.resolved.kind === 'dict' ? cloneNode(ctx.resolved) : dictNode();
  setKey(root, ARGS_KEY, listNode(template.map((arg) => valueNode(arg))));
  const runtime = mergeRoot(cloneNode(ctx.runtime), fromPlain({ runtime: { output_dir: ctx.outputDir, cwd: ctx.cwd } }));
  const resolveCtx = { ...createResolveContext({ env: ctx.env, now: ctx.now, resolvers: ctx.resolvers }), runtime };
  const args = template.map((arg, index) => {
    if (!arg.includes('${')) return arg;
    try {
      const node = selectNode(root, [ARGS_KEY, index], resolveCtx, { throwOnMissing: true });
      if (!node) throw new TrellisError('INTERPOLATION_KEY_MISSING', `'${arg}' resolved to nothing`);
      return node.kind === 'value' && typeof node.value === 'string' ? node.value : pythonStr(node);
    } catch (error) {
      if (!(error instanceof TrellisError)) throw error;
      throw error.derive({
        message: `Command argument ${index + 1} '${arg}': ${error.message}`,
        hint: error.hint ?? "write \\${ for a literal '${'; quote the argument in single quotes so the shell leaves ${…} alone",
      });
    }
  });
  return ctx.passOverrides ? [...args, ...ctx.overrides] : args;
}

/**
 * The job's name when none is given, as Hydra names a job after its script: the first argument
 * that looks like a script file (`python train.py` → train), else the program (`./job.sh` → job).
 */
export function commandJobName(template: readonly string[]): string {
  const script = template.slice(1).find((arg) => !arg.startsWith('-') && /\.[A-Za-z0-9]+$/.test(arg) && !arg.includes('${'));
  const chosen = script ?? template[0] ?? 'command';
  return basename(chosen, extname(chosen)) || 'command';
}
