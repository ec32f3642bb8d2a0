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
    { name: 'config-dir', alias: ['cd'], type: 'string', arg: 'DIR', description: 'directory with the primary config and config groups' },
    { name: 'config-path', alias: ['cp'], type: 'string', arg: 'DIR', description: 'same as --config-dir (Hydra name)' },
    { name: 'config-name', alias: ['cn'], type: 'string', arg: 'NAME', description: 'primary config name, without .yaml' },
  ],
  examples: [],
};
