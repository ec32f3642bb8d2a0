import { pythonScalarStr } from '../util/python.js';
import { expandJobs as expandPlan, planSweep, type SweepInput, type SweepPlan } from '../sweep/index.js';
import { dimensions } from '../sweep/random.js';
import { COMPOSE_DIR_FIELDS, composeFromDir, openConfigDir, type ComposeDirOptions } from './compose-dir.js';
import { selectPath } from './select.js';
import { checkArgs } from '../errors/check-args.js';

/** `sweeper.params` of the runtime node as key → override value text. */
function sweeperParams(runtime: ReturnType<typeof composeFromDir>['runtime']): Array<[string, string]> {
  const sweeper = runtime.entries.get('sweeper')?.node;
  const params = sweeper?.kind === 'dict' ? sweeper.entries.get('params')?.node : undefined;
  if (params?.kind !== 'dict') return [];
  return [...params.entries.values()].map((e) => [String(e.key), e.node.kind === 'value' ? pythonScalarStr(e.node.value, e.node.float) : '']);
}

/** What a sweeper needs from a command line: its overrides, the config's `sweeper.params`, group options. */
export function sweepInputFor(options: ComposeDirOptions): SweepInput {
  const base = composeFromDir({ ...options, multirun: true });
  const repo = options.repository ?? openConfigDir(options.configDir, options.configName, options.cwd, options.overrides ?? []);
  return {
    overrides: [...(options.overrides ?? [])],
    params: sweeperParams(base.runtime),
    listOptions: (group) => (repo.groupExists(group) ? repo.listOptions(group) : []),
  };
}

/** The grid of a command line: config `sweeper.params` first, then the CLI overrides. */
export function planJobs(options: ComposeDirOptions): SweepPlan {
  checkArgs('planJobs', [['options', options, 'object', COMPOSE_DIR_FIELDS]]);
  return planSweep(sweepInputFor(options));
}

/** Each job's override list, lazily, in launch order (first key varies slowest). */
export function expandJobs(options: ComposeDirOptions): Generator<string[]> {
  // Arguments are checked at the call; composing waits for the first job, as before.
  checkArgs('expandJobs', [['options', options, 'object', COMPOSE_DIR_FIELDS]]);
  return (function* () {
    yield* expandPlan(planJobs(options));
  })();
}

/**
 * Swept keys that exist only under some options of a swept config group (`optimizer=sgd,adam`
 * with `optimizer.momentum` only in optimizer/sgd.yaml), found before the search starts by
 * composing the config once per option: key → the group's key and the option texts it exists under.
 */
export function groupConditions(options: ComposeDirOptions, input: SweepInput): Map<string, { parent: string; options: string[] }> {
  const dims = dimensions(input);
  const repo = options.repository ?? openConfigDir(options.configDir, options.configName, options.cwd, options.overrides ?? []);
  const conditions = new Map<string, { parent: string; options: string[] }>();
  for (const group of dims) {
    if (group.kind !== 'choice' || group.override.type !== 'change' || !repo.groupExists(group.override.key)) continue;
    const pkg = group.override.package || group.override.key.replaceAll('/', '.');
    const texts = Array.from({ length: group.texts.length }, (_, i) => group.texts.at(i));
    const configs = new Map<string, ReturnType<typeof composeFromDir>['config']>();
    const configOf = (text: string) => {
      if (!configs.has(text)) configs.set(text, composeFromDir({ ...options, overrides: [text] }).config);
      return configs.get(text)!;
    };
    for (const d of dims) {
      if (d === group || d.kind === 'fixed' || !d.key.startsWith(`${pkg}.`)) continue;
      const under = texts.filter((t) => selectPath(configOf(t), d.key) !== undefined);
      if (under.length > 0 && under.length < texts.length) conditions.set(d.key, { parent: group.key, options: under });
    }
  }
  return conditions;
}
