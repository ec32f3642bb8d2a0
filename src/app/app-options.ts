import type { CommandSpec } from '../cli/options.js';

/** Hydra's application flags, in the same table format as trellis's own commands. */
export const APP_COMMAND: CommandSpec = {
  name: 'app',
  summary: 'run the job',
  usage: '[--cfg job|hydra|all] [--resolve] [--package KEY] [--info [WHAT]] [-m] [--config-dir DIR] [--config-name NAME] [OVERRIDE…]',
  takesOverrides: true,
  options: [
    { name: 'cfg', alias: ['c'], type: 'string', arg: 'WHICH', values: ['job', 'hydra', 'trellis', 'all'], description: 'print the config instead of running: job, hydra (the runtime node; alias trellis) or all' },
    { name: 'resolve', type: 'boolean', description: 'with --cfg, resolve interpolations first' },
    { name: 'package', alias: ['p'], type: 'string', arg: 'KEY', description: 'with --cfg, print only this node' },
    { name: 'info', alias: ['i'], type: 'string', arg: 'WHAT', description: 'print search path, defaults list, choices and config (all|config|defaults|searchpath), then exit' },
    { name: 'multirun', alias: ['m'], type: 'boolean', description: 'run one job per combination of the sweep overrides' },
    { name: 'launcher', type: 'string', arg: 'NAME', values: ['inline', 'local'], description: 'with -m: inline (jobs in this process, the default) or local (a pool of processes)' },
    { name: 'jobs', alias: ['j'], type: 'string', arg: 'N', description: 'with -m: jobs at once; N > 1 selects the local launcher' },
    { name: 'devices', type: 'string', arg: 'LIST', description: 'with the local launcher: device ids (0,1) handed to jobs as CUDA_VISIBLE_DEVICES' },
    { name: 'fail-fast', type: 'boolean', description: 'with -m: stop launching jobs after the first failure' },
    { name: 'sweeper', type: 'string', arg: 'NAME', values: ['grid', 'random'], description: 'with -m: grid (every combination, the default) or random (--trials N)' },
    { name: 'trials', type: 'string', arg: 'N', description: 'with --sweeper random: number of jobs' },
    { name: 'sweep-seed', type: 'string', arg: 'N', description: 'with --sweeper random: seed of the draws (drawn and recorded when absent)' },
    { name: 'objective', type: 'string', arg: 'NAME', description: 'with -m: the returned value or metric that ranks jobs in the results table' },
    { name: 'mode', type: 'string', arg: 'MODE', values: ['min', 'max'], default: 'min', description: 'with --objective: lower (min) or higher (max) is better' },
    { name: 'resume', type: 'string', arg: '[DIR]', description: 'with -m: run the unfinished jobs of a sweep (the last one of this command when DIR is omitted)' },
    { name: 'config-dir', alias: ['cd'], type: 'string', arg: 'DIR', description: 'directory with the primary config and config groups' },
    { name: 'config-path', alias: ['cp'], type: 'string', arg: 'DIR', description: 'same as --config-dir (Hydra name)' },
    { name: 'config-name', alias: ['cn'], type: 'string', arg: 'NAME', description: 'primary config name, without .yaml' },
  ],
  examples: [],
};
