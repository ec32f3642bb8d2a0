import { relative, resolve as resolvePath } from 'node:path';
import { selectPath } from '../api/select.js';
import { TrellisError } from '../errors/index.js';
import type { SlurmOptions } from '../launch/slurm.js';
import { toPlain, type Node } from '../tree/node.js';

export type Flags = Record<string, string | boolean | undefined>;

/** What a sweep is run with: flags first, then the config's trellis/hydra node, then defaults. */
export interface SweepSettings {
  launcher: string | undefined;
  jobs: number;
  devices: string[] | undefined;
  slurm: Partial<SlurmOptions>;
  sweeper: string;
  trials: number | undefined;
  seed: number | undefined;
  failFast: boolean;
  objective: string | undefined;
  mode: 'min' | 'max';
  resume: string | undefined;
}

export function wholeNumber(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0) throw new TrellisError('USAGE', `--${name} must be a whole number, got '${text}'`);
  return n;
}

const flagText = (flags: Flags, name: string) => (typeof flags[name] === 'string' && flags[name] !== '' ? (flags[name] as string) : undefined);

/** Reads the sweep's settings from the flags and the composed runtime node (`trellis:`/`hydra:`). */
export function sweepSettings(flags: Flags, argv: readonly string[], runtime: Node): SweepSettings {
  const fromConfig = (path: string): string | undefined => {
    const node = selectPath(runtime, path);
    return node?.kind === 'value' && node.value !== null ? String(node.value) : undefined;
  };
  const str = (name: string) => flagText(flags, name);
  const jobs = wholeNumber('jobs', str('jobs') ?? fromConfig('launcher.n_jobs')) ?? 1;
  // Hydra's submitit plugin names its launcher by class: hydra/launcher=submitit_slurm.
  const target = fromConfig('launcher._target_');
  const launcher = str('launcher') ?? fromConfig('launcher.name') ?? fromConfig('launcher') ?? (target?.endsWith('SlurmLauncher') ? 'slurm' : undefined) ?? (jobs > 1 ? 'local' : undefined);
  return {
    launcher,
    jobs: launcher === 'local' ? Math.max(1, jobs) : 1,
    devices: str('devices')?.split(',').map((d) => d.trim()).filter(Boolean),
    slurm: slurmOptions(flags, argv, runtime),
    sweeper: str('sweeper') ?? fromConfig('sweeper.name') ?? 'grid',
    trials: wholeNumber('trials', str('trials') ?? fromConfig('sweeper.trials')),
    seed: wholeNumber('sweep-seed', str('sweep-seed') ?? fromConfig('sweeper.seed')),
    failFast: Boolean(flags['fail-fast']),
    objective: str('objective'),
    mode: flags.mode === 'max' ? 'max' : 'min',
    resume: flags.resume === undefined ? undefined : (str('resume') ?? 'auto'),
  };
}

/**
 * The SLURM launcher's options as given, by flag or by config (`trellis.launcher.*`, also the key
 * names of Hydra's submitit plugin: timeout_min, mem_gb, array_parallelism, additional_parameters).
 * Unset ones stay undefined: a resumed sweep keeps what it was started with.
 */
function slurmOptions(
  flags: Record<string, string | boolean | undefined>,
  argv: readonly string[],
  runtime: Node,
): Partial<SlurmOptions> {
  const int = wholeNumber;
  const node = (path: string) => selectPath(runtime, `launcher.${path}`);
  const value = (path: string): string | undefined => {
    const n = node(path);
    return n?.kind === 'value' && n.value !== null ? String(n.value) : undefined;
  };
  const flag = (name: string) => flagText(flags, name);
  const timeoutMin = value('timeout_min');
  const memGb = value('mem_gb');
  const pollText = flag('poll-interval') ?? value('poll_interval');
  const poll = pollText === undefined ? undefined : Number(pollText);
  if (poll !== undefined && !(poll > 0)) throw new TrellisError('USAGE', `--poll-interval must be a positive number of seconds, got '${pollText}'`);
  const time = flag('time') ?? value('time') ?? timeoutMin;
  if (time !== undefined && !/^(\d+|\d+:\d+|\d+:\d+:\d+|\d+-\d+|\d+-\d+:\d+|\d+-\d+:\d+:\d+|UNLIMITED|INFINITE)$/i.test(time)) {
    throw new TrellisError('USAGE', `--time must be a SLURM time limit (minutes, MM:SS, HH:MM:SS or D-HH:MM:SS), got '${time}'`);
  }
  // --sbatch-arg=ARG may be given many times (the flag table keeps only the last): read argv.
  const sbatchArgs: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a.startsWith('--sbatch-arg=')) sbatchArgs.push(a.slice('--sbatch-arg='.length));
    else if (a === '--sbatch-arg' && argv[i + 1] !== undefined) sbatchArgs.push(argv[++i]!);
  }
  const configured: string[] = [];
  const list = node('sbatch_args');
  if (list) {
    const plain = toPlain(list);
    if (Array.isArray(plain)) configured.push(...plain.map(String));
  }
  for (const key of ['qos', 'account', 'gres', 'constraint', 'exclude', 'nodelist', 'comment']) {
    const v = value(key);
    if (v !== undefined) configured.push(`--${key}=${v}`);
  }
  const extra = node('additional_parameters');
  if (extra) {
    const plain = toPlain(extra);
    if (plain && typeof plain === 'object' && !Array.isArray(plain)) for (const [k, v] of Object.entries(plain)) configured.push(v === true ? `--${k}` : `--${k}=${String(v)}`);
  }
  const all = [...configured, ...sbatchArgs];
  return {
    partition: flag('partition') ?? value('partition'),
    time,
    cpusPerTask: int('cpus-per-task', flag('cpus-per-task') ?? value('cpus_per_task')),
    mem: flag('mem') ?? value('mem') ?? (memGb === undefined ? undefined : `${memGb}G`),
    maxParallel: int('max-parallel', flag('max-parallel') ?? value('max_parallel') ?? value('array_parallelism')),
    sbatchArgs: all.length ? all : undefined,
    pollInterval: poll,
    jobName: value('job_name'),
  } as Partial<SlurmOptions>;
}

/** The launcher's record for run.json; its file paths (relative to the sweep) made relative to cwd like `sweep.dir`. */
export function launcherRecord(text: string | undefined, sweepDir: string, cwd: string): Record<string, unknown> | undefined {
  if (!text) return undefined;
  try {
    const info = JSON.parse(text) as Record<string, unknown>;
    for (const key of ['stdout', 'stderr']) if (typeof info[key] === 'string') info[key] = relative(cwd, resolvePath(sweepDir, info[key] as string));
    return info;
  } catch {
    return undefined;
  }
}


