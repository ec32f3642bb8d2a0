/**
 * One table drives argument parsing and help text for every command, so the two cannot drift.
 */
export interface OptionSpec {
  name: string;
  alias?: string[];
  type: 'string' | 'boolean';
  description: string;
  values?: readonly string[];
  default?: string | boolean;
  /** Placeholder shown in help: --config-dir DIR. */
  arg?: string;
}

export interface CommandSpec {
  name: string;
  summary: string;
  usage: string;
  options: OptionSpec[];
  /** Takes overrides (key=value …) as positional arguments. */
  takesOverrides: boolean;
  examples: string[];
}

export const GLOBAL_OPTIONS: OptionSpec[] = [
  { name: 'help', alias: ['h'], type: 'boolean', description: 'show help for the command' },
  { name: 'verbose', type: 'boolean', description: 'on errors, also print the cause chain' },
  { name: 'version', type: 'boolean', description: 'print the trellis version' },
];

const CONFIG_SOURCE_OPTIONS: OptionSpec[] = [
  { name: 'config-dir', alias: ['cd', 'config-path', 'cp'], type: 'string', arg: 'DIR', description: 'directory holding the primary config and the config groups', default: 'conf' },
  { name: 'config-name', alias: ['cn'], type: 'string', arg: 'NAME', description: 'primary config name, without .yaml', default: 'config' },
];

export const COMMANDS: CommandSpec[] = [
  {
    name: 'compose',
    summary: 'print the composed config of a config directory (like Hydra’s --cfg job)',
    usage: 'trellis compose [--config-dir DIR] [--config-name NAME] [--resolve] [--package KEY] [--format yaml|json] [--multirun] [OVERRIDE…]',
    takesOverrides: true,
    options: [
      ...CONFIG_SOURCE_OPTIONS,
      { name: 'resolve', type: 'boolean', description: 'resolve every ${…} interpolation before printing' },
      { name: 'package', alias: ['p'], type: 'string', arg: 'KEY', description: 'print only this node or value (dotted key)' },
      { name: 'format', type: 'string', arg: 'FORMAT', values: ['yaml', 'json'], default: 'yaml', description: 'output format' },
      { name: 'multirun', alias: ['m'], type: 'boolean', description: 'expand sweeps and print every job’s overrides and config; launches nothing' },
    ],
    examples: [
      'trellis compose',
      'trellis compose optimizer=adam optimizer.lr=0.01 +tag=baseline',
      'trellis compose --resolve --format json',
      'trellis compose --multirun optimizer=adam,sgd seed=1,2',
    ],
  },
];

COMMANDS.push({
  name: 'schema',
  summary: 'write JSON Schemas of an app’s config for YAML editors (yaml-language-server)',
  usage: 'trellis schema --app FILE [--out DIR] [--config-dir DIR] [--format text|json]',
  takesOverrides: false,
  options: [
    { name: 'app', type: 'string', arg: 'FILE', description: 'the compiled module that exports your app (defineApp with a schema)' },
    { name: 'out', type: 'string', arg: 'DIR', default: 'schemas', description: 'directory to write config.schema.json and <group>.schema.json into' },
    { name: 'config-dir', alias: ['cd'], type: 'string', arg: 'DIR', description: 'config directory (default: the app’s)' },
    { name: 'format', type: 'string', arg: 'FORMAT', values: ['text', 'json'], default: 'text', description: 'output format' },
  ],
  examples: ['trellis schema --app dist/examples/train.js --out schemas'],
});

COMMANDS.push({
  name: 'sweep',
  summary: 'act on a recorded sweep: resume runs the jobs that did not complete',
  usage: 'trellis sweep resume <sweep-dir>',
  takesOverrides: true,
  options: [],
  examples: ['trellis sweep resume multirun/2026-11-23/10-20-00'],
});

export function findCommand(name: string): CommandSpec | undefined {
  return COMMANDS.find((c) => c.name === name);
}
