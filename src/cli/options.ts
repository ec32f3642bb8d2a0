import { RUN_COMMAND } from '../app/app-options.js';
import { GLOBAL_OPTIONS, type CommandSpec, type OptionSpec } from '../console/command-spec.js';

export { GLOBAL_OPTIONS, type CommandSpec };

const CONFIG_SOURCE_OPTIONS: OptionSpec[] = [
  {
    name: 'config-dir',
    alias: ['cd', 'config-path', 'cp'],
    type: 'string',
    arg: 'DIR',
    description: 'directory holding the primary config and the config groups',
    default: 'conf',
  },
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
  summary: 'recorded sweeps: list them, show one’s job table, resume the jobs that did not complete',
  usage: [
    'trellis sweep list [ROOT…] [--format table|json]',
    '       trellis sweep show <sweep-dir> [--format text|json]',
    '       trellis sweep resume <sweep-dir>',
  ].join('\n'),
  takesOverrides: true,
  options: [
    { name: 'format', type: 'string', arg: 'FORMAT', values: ['table', 'text', 'json'], description: 'output format (list: table, json; show: text, json)' },
  ],
  examples: ['trellis sweep list', 'trellis sweep show multirun/2026-11-23/10-20-00 --format json', 'trellis sweep resume multirun/2026-11-23/10-20-00'],
});

const RUN_LOOKUP_OPTIONS: OptionSpec[] = [
  { name: 'root', type: 'string', arg: 'DIR', description: 'where run ids are looked up (default: outputs/ and multirun/)' },
];

COMMANDS.push({
  name: 'runs',
  summary: 'find, show, tag and compare recorded runs (list, best, show, tag, note, diff)',
  usage: [
    'trellis runs list [ROOT…] [QUERY] [--sort KEY] [--limit N] [--format table|json|csv] [--columns A,B] [--refresh|--no-index]',
    '       trellis runs best --metric NAME [--mode min|max] [ROOT…] [QUERY] [--limit N] [--format table|json|csv]',
    '       trellis runs show RUN [--format text|json]',
    '       trellis runs tag RUN TAG… [--remove]',
    '       trellis runs note RUN TEXT…',
    '       trellis runs diff A B [--format text|json]',
    '',
    'RUN is a run directory, a run id, or a unique prefix of one. Arguments of list and best that',
    'name existing directories are roots (default: outputs/ and multirun/); the rest is the query:',
    '  optimizer.name = adam and optimizer.lr < 0.05      config values (resolved)',
    '  val_loss.min < 0.1   val_acc.last >= 0.9           metrics (last|min|max|count)',
    '  status in (failed, crashed)   tags = baseline      status, tags, notes, overrides',
    '  started > -30d   ended < 2026-11-01   duration > 5m  times (-30d -12h -15m, ISO dates)',
    "  name ~ iris   not (a = 1 or b != 'x y')            ~ (contains) !~ in; and or not ( )",
    'Run fields (status, tags, name, started…) win over config keys of the same name: use config.name.',
    '--sort: KEY ascending; -KEY or KEY:desc descending (write --sort=-KEY); several joined by commas.',
  ].join('\n'),
  takesOverrides: true,
  options: [
    { name: 'where', alias: ['q'], type: 'string', arg: 'QUERY', description: 'the query (instead of, or joined with and to, the positional one)' },
    { name: 'sort', type: 'string', arg: 'KEY', description: 'sort by a field, -KEY descending (default: -started, newest first)' },
    { name: 'limit', alias: ['n'], type: 'string', arg: 'N', description: 'show at most N runs' },
    { name: 'columns', type: 'string', arg: 'A,B', description: 'the table/CSV columns (fields, e.g. id,status,optimizer.lr,val_loss.min,dir)' },
    {
      name: 'format',
      type: 'string',
      arg: 'FORMAT',
      values: ['table', 'text', 'json', 'csv'],
      description: 'output format (list/best: table, json, csv; show/diff: text, json)',
    },
    { name: 'metric', type: 'string', arg: 'NAME', description: 'best: the metric (NAME uses min or max by --mode; NAME.last for the last value)' },
    { name: 'mode', type: 'string', arg: 'MODE', values: ['min', 'max'], default: 'min', description: 'best: lower or higher is better' },
    { name: 'remove', type: 'boolean', description: 'tag: remove the tags instead of adding them' },
    { name: 'no-index', type: 'boolean', description: 'read every run directory; neither use nor refresh the index (.trellis-index/)' },
    { name: 'refresh', type: 'boolean', description: 'check every run directory against the index, also finished runs it takes on trust' },
    ...RUN_LOOKUP_OPTIONS,
  ],
  examples: [
    'trellis runs list',
    "trellis runs list 'optimizer.name = adam and val_loss.min < 0.3' --sort=-val_loss.min --limit 5",
    "trellis runs list multirun/ 'started > -7d and status = completed' --format csv",
    'trellis runs best --metric val_loss --mode min "optimizer.name = adam"',
    'trellis runs show 20261123-1020',
    'trellis runs tag outputs/2026-11-23/10-15-02 baseline',
    'trellis runs diff outputs/2026-11-23/10-15-02 multirun/2026-11-23/10-20-00/1',
  ],
});

COMMANDS.push({
  name: 'explain',
  summary: 'show where a config value of a run came from: file:line, group choice, override, interpolations',
  usage: 'trellis explain RUN KEY [--format text|json]',
  takesOverrides: true,
  options: [{ name: 'format', type: 'string', arg: 'FORMAT', values: ['text', 'json'], default: 'text', description: 'output format' }, ...RUN_LOOKUP_OPTIONS],
  examples: ['trellis explain outputs/2026-11-23/10-15-02 model.features', 'trellis explain 20261123-1015 optimizer.lr'],
});

COMMANDS.push({
  name: 'rerun',
  summary: 'run a recorded run again (same app, overrides and seed) after reporting what drifted',
  usage: 'trellis rerun RUN [OVERRIDE…] [--verify [--tolerance T]] [--dry-run] [--trust]',
  takesOverrides: true,
  options: [
    { name: 'verify', type: 'boolean', description: 'compare the new metrics with the original: equal, within tolerance or different (exit 1)' },
    { name: 'tolerance', type: 'string', arg: 'T', default: '1e-9', description: 'relative tolerance for --verify' },
    { name: 'dry-run', type: 'boolean', description: 'report drift only; run nothing' },
    {
      name: 'trust',
      type: 'boolean',
      description: 'run what the run directory names even when it lies outside this project or in untracked run data',
    },
    ...RUN_LOOKUP_OPTIONS,
  ],
  examples: [
    'trellis rerun outputs/2026-11-23/10-15-02 --verify',
    'trellis rerun 20261123-1020 trainer.epochs=20',
    'trellis rerun multirun/2026-11-23/10-20-00/1 --dry-run',
  ],
});

COMMANDS.push({
  name: 'export',
  summary: 'write recorded runs where other tools read them: TensorBoard event files, an MLflow store',
  usage: [
    'trellis export tensorboard [ROOT…] [QUERY] --to DIR [--format text|json]',
    '       trellis export mlflow [ROOT…] [QUERY] [--to DIR | --tracking-uri URL] [--experiment NAME] [--format text|json]',
    '',
    'ROOT and QUERY are those of trellis runs list (default roots: outputs/ and multirun/; no query: every run).',
    'tensorboard: one folder per run under DIR, named after its directory and overrides, with its scalars',
    'and HParams session data (config values, status); exporting again updates the folders in place.',
    'mlflow: each run becomes an MLflow run (config as dotted params, metric histories, records as artifacts);',
    'the jobs of a sweep are nested under one parent run; exporting again updates the same runs.',
  ].join('\n'),
  takesOverrides: true,
  options: [
    {
      name: 'to',
      type: 'string',
      arg: 'DIR',
      description: 'the directory to write (tensorboard: the --logdir to give TensorBoard; mlflow: the file store, default mlruns)',
    },
    { name: 'tracking-uri', type: 'string', arg: 'URL', description: 'mlflow: post to this tracking server’s REST API instead' },
    { name: 'experiment', type: 'string', arg: 'NAME', description: 'mlflow: the experiment (default: Default), created when missing' },
    { name: 'format', type: 'string', arg: 'FORMAT', values: ['text', 'json'], default: 'text', description: 'output format of the report' },
  ],
  examples: ['trellis export tensorboard --to tb', "trellis export tensorboard multirun/ 'status = completed' --to tb", 'trellis export mlflow --to mlruns'],
});

COMMANDS.push({
  name: 'init',
  summary: 'create a project: conf/ with two groups, a TypeScript app with a zod schema, npm scripts',
  usage: 'trellis init [DIR] [--from SPEC] [--format text|json]',
  takesOverrides: true,
  options: [
    {
      name: 'from',
      type: 'string',
      arg: 'SPEC',
      description: 'where the project installs trellis from: a clone, an npm pack tarball or a git URL (default: this trellis)',
    },
    { name: 'format', type: 'string', arg: 'FORMAT', values: ['text', 'json'], default: 'text', description: 'output format' },
  ],
  examples: ['trellis init my-experiment', 'trellis init my-experiment --from ../trellis/trellis-0.1.0.tgz'],
});

COMMANDS.push({
  name: 'import',
  summary: 'make existing Hydra run and sweep folders trellis runs (list, diff, explain, rerun)',
  usage: [
    'trellis import hydra PATH… [--into DIR] [--jobs N] [--format text|json]',
    '',
    'PATH is a Hydra run folder (with .hydra/config.yaml), a sweep folder (with multirun.yaml), or a',
    'folder holding them (outputs/, multirun/). The Hydra folders are read, never changed: each run',
    'gets records under --into that point back to it. Importing again updates them; nothing is duplicated.',
  ].join('\n'),
  takesOverrides: true,
  options: [
    { name: 'into', type: 'string', arg: 'DIR', default: 'outputs/hydra', description: 'where the imported runs’ records go (a folder trellis runs reads)' },
    { name: 'jobs', type: 'string', arg: 'N', description: 'threads that import at once (default: one per core, with 200 runs or more each)' },
    { name: 'format', type: 'string', arg: 'FORMAT', values: ['text', 'json'], default: 'text', description: 'output format' },
  ],
  examples: ['trellis import hydra outputs multirun', 'trellis import hydra ../old-project/multirun/2024-03-01/12-00-00'],
});

COMMANDS.push({
  name: 'completion',
  summary: 'print the tab-completion script of a shell (bash, zsh, fish), or --install it',
  usage: 'trellis completion bash|zsh|fish [--install]',
  takesOverrides: true,
  options: [
    { name: 'install', type: 'boolean', description: 'write the script where the shell looks for it and say how to enable it' },
    { name: 'query', type: 'boolean', hidden: true, description: 'answer one TAB: the candidates for the line in COMP_LINE' },
    { name: 'app', type: 'string', hidden: true, description: "with --query: a TAB of this app's command line (node SCRIPT …)" },
  ],
  examples: ['eval "$(trellis completion bash)"', 'trellis completion zsh --install', 'trellis completion fish --install'],
});

COMMANDS.push({
  name: 'ui',
  summary: 'see and compare runs in the browser: table, curves, run pages, compare, sweeps',
  usage: [
    'trellis ui [ROOT…] [--port N] [--host 127.0.0.1] [--open]',
    '',
    'Serves a page over the same run directories and index as trellis runs (default roots:',
    'outputs/ and multirun/) and prints its URL, with a random token that every request needs.',
    'It listens on 127.0.0.1 unless --host names another address (then it warns). Ctrl-C stops it.',
  ].join('\n'),
  takesOverrides: true,
  options: [
    { name: 'port', type: 'string', arg: 'N', default: '0', description: 'the port to listen on (0: any free one)' },
    { name: 'host', type: 'string', arg: 'HOST', default: '127.0.0.1', description: 'the address to listen on; another than loopback exposes your runs' },
    { name: 'open', type: 'boolean', description: 'open the page in the default browser' },
  ],
  examples: ['trellis ui', 'trellis ui multirun/ --port 8080', 'trellis ui --open'],
});

// After compose: the command most people run.
COMMANDS.splice(1, 0, RUN_COMMAND);

export function findCommand(name: string): CommandSpec | undefined {
  return COMMANDS.find((c) => c.name === name);
}
