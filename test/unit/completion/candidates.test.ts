import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { completeApp, completeTrellis, overrideCandidates, type CompletionInputs, type RunRef } from '../../../src/completion/candidates.js';
import { filesFromRepository } from '../../../src/completion/config-files.js';
import { ConfigView } from '../../../src/completion/config-view.js';
import type { JsonSchema } from '../../../src/completion/schema-hints.js';
import { splitLine } from '../../../src/completion/line.js';
import { APP_COMMAND } from '../../../src/app/app-options.js';
import { COMMANDS } from '../../../src/cli/options.js';
import { createFsRepository } from '../../../src/sources/fs-repository.js';
import { repoRoot } from '../../helpers/run-cli.js';

// conf/completion: groups db (mysql, postgres), server (limits) with server/http (plain, tls),
// optimizer chosen at package `opt`, extra and global (not in the defaults list).
const FIXTURE = join(repoRoot, 'test', 'fixtures', 'conf', 'completion');

function view(overrides: string[] = []) {
  return new ConfigView(filesFromRepository(createFsRepository([FIXTURE])), 'config', overrides);
}

/** The candidate values for the last word of `line`, earlier override words changing choices. */
function complete(line: string, schema?: JsonSchema): string[] {
  const { words, current } = splitLine(line);
  return overrideCandidates(view(words), current, schema).map((c) => c.value);
}

const FUNCTIONS = ['bool(', 'choice(', 'float(', 'glob(', 'int(', 'interval(', 'range(', 'shuffle(', 'sort(', 'str(', 'tag('];

describe('override candidates over a config directory (Hydra CompletionPlugin._query)', () => {
  it.each([
    {
      name: 'nothing typed: groups with = or /, top-level keys, package nodes',
      line: '',
      expected: ['db.', 'db=', 'debug=', 'extra=', 'global=', 'name=', 'opt.', 'optimizer=', 'seed=', 'server.', 'server/', 'server=', 'train.'],
    },
    { name: 'a group and its package node', line: 'db', expected: ['db.', 'db='] },
    { name: 'options of a group', line: 'db=', expected: ['db=mysql', 'db=postgres'] },
    { name: 'options by prefix', line: 'db=p', expected: ['db=postgres'] },
    { name: 'keys of the chosen option', line: 'db.', expected: ['db.driver=', 'db.port='] },
    { name: 'keys of the option chosen on the line', line: 'db=postgres db.', expected: ['db.driver=', 'db.port=', 'db.user='] },
    { name: 'nested groups', line: 'server/', expected: ['server/http='] },
    { name: 'options of a nested group', line: 'server/http=', expected: ['server/http=plain', 'server/http=tls'] },
    { name: 'a nested group’s package is a node', line: 'server.', expected: ['server.http.'] },
    { name: 'keys under a nested package', line: 'server.http.', expected: ['server.http.port='] },
    { name: 'keys under an explicit @package', line: 'opt.', expected: ['opt.lr='] },
    { name: 'an explicit @package follows the choice', line: 'optimizer=adam opt.', expected: ['opt.betas.', 'opt.lr='] },
    { name: '+ offers every group, to append', line: '+', expected: ['+db=', '+extra=', '+global=', '+optimizer=', '+server/', '+server='] },
    { name: '+ by prefix', line: '+ex', expected: ['+extra='] },
    { name: '~ deletes: names without =', line: '~d', expected: ['~db', '~debug'] },
    { name: 'a value: the current one, then sweep functions', line: 'seed=', expected: ['seed=42', ...FUNCTIONS.map((f) => `seed=${f}`)] },
    { name: 'booleans lower-case, as Hydra prints them', line: 'debug=f', expected: ['debug=false', 'debug=float('] },
    { name: 'a list value in flow style', line: 'train.layers=[', expected: ['train.layers=[64,128]'] },
    { name: 'list items by index', line: 'train.layers.', expected: ['train.layers.0=', 'train.layers.1='] },
    { name: 'a sweep function by prefix', line: 'seed=ra', expected: ['seed=range('] },
    { name: 'nothing inside a function call', line: 'seed=choice(1,', expected: [] },
    { name: 'a key that does not exist', line: 'nope.', expected: [] },
    { name: 'a path that would leave the config directory', line: '../', expected: [] },
  ])('$name: `$line`', ({ line, expected }) => {
    expect(complete(line)).toEqual(expected);
  });

  it('describes keys with their current values and groups with their choice', () => {
    const got = overrideCandidates(view(), 'd', undefined);
    expect(got).toEqual([
      { value: 'db.', description: 'node', more: true },
      { value: 'db=', description: 'group: mysql (of mysql, postgres)', more: true },
      { value: 'debug=', description: '= false', more: true },
    ]);
  });

  it('marks the current choice among the options', () => {
    expect(overrideCandidates(view(), 'db=', undefined)).toEqual([
      { value: 'db=mysql', description: 'current choice' },
      { value: 'db=postgres', description: undefined },
    ]);
  });
});

// What zod 4's toJSONSchema gives for
// z.object({ seed: z.number().describe('master seed'), mode: z.enum(['fast', 'slow']),
//   optimizer: z.discriminatedUnion('name', [z.object({ name: z.literal('sgd'), lr: z.number().describe('step size') }),
//   z.object({ name: z.literal('adam'), lr: z.number(), beta: z.number().optional() })]) })
const SCHEMA: JsonSchema = {
  type: 'object',
  properties: {
    seed: { type: 'number', description: 'master seed' },
    mode: { type: 'string', enum: ['fast', 'slow'] },
    debug: { type: 'boolean' },
    opt: {
      oneOf: [
        { type: 'object', properties: { name: { type: 'string', const: 'sgd' }, lr: { type: 'number', description: 'step size' } } },
        { type: 'object', properties: { name: { type: 'string', const: 'adam' }, lr: { type: 'number' }, beta: { type: 'number' } } },
      ],
    },
  },
};

describe('candidates with a schema', () => {
  // Candidates come sorted, as every shell shows them.
  it.each([
    { name: 'enum values after =', line: 'mode=', expected: ['mode=fast', 'mode=slow', ...FUNCTIONS.map((f) => `mode=${f}`)].sort() },
    { name: 'literals of every union branch', line: 'opt.name=', expected: ['opt.name=adam', 'opt.name=sgd', ...FUNCTIONS.map((f) => `opt.name=${f}`)].sort() },
    { name: 'booleans (and tag)', line: 'debug=t', expected: ['debug=tag(', 'debug=true'] },
    { name: '++ adds schema keys no file sets', line: '++opt.', expected: ['++opt.beta=', '++opt.lr=', '++opt.name='] },
  ])('$name: `$line`', ({ line, expected }) => {
    expect(complete(line, SCHEMA)).toEqual(expected);
  });

  it('shows the schema’s description beside the current value', () => {
    const got = overrideCandidates(view(), 'seed', SCHEMA);
    expect(got).toEqual([{ value: 'seed=', description: '= 42  master seed', more: true }]);
    expect(overrideCandidates(view(), 'opt.l', SCHEMA)).toEqual([{ value: 'opt.lr=', description: '= 0.1  step size', more: true }]);
  });
});

const RUNS: RunRef[] = [
  { id: '20261123-101502-ab12', dir: 'outputs/2026-11-23/10-15-02', description: 'completed' },
  { id: '20261123-102000-cd34', dir: 'multirun/2026-11-23/10-20-00/0', description: 'failed' },
];

function inputs(seen: Array<[string | undefined, string | undefined]> = []): CompletionInputs {
  return {
    config(dir, name, overrides) {
      seen.push([dir, name]);
      return new ConfigView(filesFromRepository(createFsRepository([FIXTURE])), name ?? 'config', overrides);
    },
    runs: () => RUNS,
  };
}

function trellis(line: string): string[] {
  const { words, current } = splitLine(line);
  return completeTrellis(COMMANDS, words.slice(1), current, inputs()).map((c) => c.value);
}

describe('trellis command lines', () => {
  it.each([
    { name: 'commands', line: 'trellis co', expected: ['completion', 'compose'] },
    { name: 'global flags', line: 'trellis --v', expected: ['--verbose', '--version'] },
    { name: 'a command’s flags', line: 'trellis compose --re', expected: ['--resolve'] },
    { name: 'single-dash aliases', line: 'trellis compose -c', expected: ['-cd', '-cn', '-cp'] },
    { name: 'long aliases take two dashes', line: 'trellis compose --config-p', expected: ['--config-path'] },
    { name: 'values of a flag', line: 'trellis compose --format ', expected: ['json', 'yaml'] },
    { name: 'values after --flag=', line: 'trellis compose --format=j', expected: ['--format=json'] },
    { name: '--config-name: the primary configs', line: 'trellis compose --config-dir x --config-name ', expected: ['alt', 'config'] },
    { name: 'overrides after flags', line: 'trellis compose --resolve db=m', expected: ['db=mysql'] },
    { name: 'shells', line: 'trellis completion ', expected: ['bash', 'fish', 'zsh'] },
    { name: 'runs subcommands', line: 'trellis runs s', expected: ['show'] },
    { name: 'runs show: ids and directories', line: 'trellis runs show 2026', expected: ['20261123-101502-ab12', '20261123-102000-cd34'] },
    { name: 'runs diff: two runs', line: 'trellis runs diff outputs/2026-11-23/10-15-02 m', expected: ['multirun/2026-11-23/10-20-00/0'] },
    { name: 'runs diff: no third', line: 'trellis runs diff a b ', expected: [] },
    { name: 'explain: a run first', line: 'trellis explain out', expected: ['outputs/2026-11-23/10-15-02'] },
    { name: 'rerun: a run, then overrides', line: 'trellis rerun 20261123-101502-ab12 db=p', expected: ['db=postgres'] },
    { name: 'run: nothing after --', line: 'trellis run -- python3 tr', expected: [] },
    { name: 'an unknown command', line: 'trellis nope ', expected: [] },
  ])('$name: `$line`', ({ line, expected }) => {
    expect(trellis(line)).toEqual(expected);
  });

  it('opens the config the line names with --config-dir and --config-name', () => {
    const seen: Array<[string | undefined, string | undefined]> = [];
    const { words, current } = splitLine('trellis compose -cd other --config-name=alt se');
    completeTrellis(COMMANDS, words.slice(1), current, inputs(seen));
    expect(seen).toEqual([['other', 'alt']]);
  });
});

describe('app command lines', () => {
  it.each([
    { name: 'Hydra’s flags', line: '--cf', expected: ['--cfg'] },
    { name: '--cfg values', line: '--cfg ', expected: ['all', 'hydra', 'job', 'trellis'] },
    { name: 'overrides', line: '-m db=', expected: ['db=mysql', 'db=postgres'] },
    { name: 'sweeper values', line: '--sweeper ', expected: ['grid', 'pbt', 'random', 'tpe'] },
  ])('$name: `$line`', ({ line, expected }) => {
    const { words, current } = splitLine(line);
    expect(completeApp(APP_COMMAND, words, current, inputs()).map((c) => c.value)).toEqual(expected);
  });
});
