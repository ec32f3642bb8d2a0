import { GLOBAL_OPTIONS, type CommandSpec, type OptionSpec } from '../console/command-spec.js';
import { FUNCTION_NAMES } from '../overrides/functions.js';
import { quiet, type SummaryTree } from './config-files.js';
import type { ConfigView, ViewEntry } from './config-view.js';
import { schemaHint, type JsonSchema } from './schema-hints.js';

/** One completion: the whole word, what the shell may show beside it, and whether the word goes on. */
export interface Candidate {
  value: string;
  description?: string | undefined;
  /** The word is not finished (`optimizer=`, `model.`, `range(`): the shell adds no space. */
  more?: boolean;
}

/** A recorded run, as `runs show`, `rerun`, `explain` and `runs diff` take it. */
export interface RunRef {
  id: string;
  dir: string;
  description: string;
}

/** What completion may look at; each piece is read only when a candidate needs it. */
export interface CompletionInputs {
  /** The config the line names (its --config-dir and --config-name, else the defaults). */
  config(dir: string | undefined, name: string | undefined, overrides: readonly string[]): ConfigView | undefined;
  /** The app's schema as JSON Schema, when it has one. */
  schema?: (() => JsonSchema | undefined) | undefined;
  runs(): RunRef[];
}

/** What a positional argument is, by its place among the positionals before it. */
type Positional = { kind: 'overrides' } | { kind: 'runs' } | { kind: 'words'; words: Candidate[] } | { kind: 'none' };

const CASTS = new Set(['int', 'float', 'str', 'bool']);
const OVERRIDES: Positional = { kind: 'overrides' };
const NONE: Positional = { kind: 'none' };
const RUNS: Positional = { kind: 'runs' };

const RUN_SUBCOMMANDS: Candidate[] = [
  { value: 'list', description: 'list runs matching a query' },
  { value: 'best', description: 'the best runs by a metric' },
  { value: 'show', description: 'one run: status, config, metrics' },
  { value: 'tag', description: 'add or remove tags' },
  { value: 'note', description: 'attach a note' },
  { value: 'diff', description: 'compare two runs key by key' },
];

export const SHELLS = ['bash', 'zsh', 'fish'] as const;
export type Shell = (typeof SHELLS)[number];

/** The positional slot of each trellis command. */
function trellisPositional(command: string, before: readonly string[]): Positional {
  const n = before.length;
  switch (command) {
    case 'compose':
    case 'run':
      return OVERRIDES;
    case 'completion':
      return n === 0 ? { kind: 'words', words: SHELLS.map((s) => ({ value: s })) } : NONE;
    case 'sweep':
      return n === 0 ? { kind: 'words', words: [{ value: 'resume', description: 'run the jobs of a sweep that did not complete' }] } : NONE;
    case 'explain':
      return n === 0 ? RUNS : NONE;
    case 'rerun':
      return n === 0 ? RUNS : OVERRIDES;
    case 'runs': {
      if (n === 0) return { kind: 'words', words: RUN_SUBCOMMANDS };
      const sub = before[0];
      if (sub === 'show' || sub === 'tag' || sub === 'note') return n === 1 ? RUNS : NONE;
      if (sub === 'diff') return n <= 2 ? RUNS : NONE;
      return NONE;
    }
    default:
      return NONE;
  }
}

/**
 * Candidates for the word being typed on a `trellis …` line: `words` are the complete words after
 * `trellis`, `current` the one being typed. Pure given its inputs.
 */
export function completeTrellis(commands: readonly CommandSpec[], words: readonly string[], current: string, inputs: CompletionInputs): Candidate[] {
  const [name, ...args] = words;
  if (name === undefined) {
    if (current.startsWith('-')) return flagCandidates(GLOBAL_OPTIONS, current);
    return filter(
      commands.map((c) => ({ value: c.name, description: c.summary })),
      current,
    );
  }
  const spec = commands.find((c) => c.name === name);
  if (!spec) return [];
  return completeCommand(spec, args, current, inputs, (before) => trellisPositional(name, before));
}

/** Candidates for the word being typed on an app's command line (its flags and overrides). */
export function completeApp(spec: CommandSpec, words: readonly string[], current: string, inputs: CompletionInputs): Candidate[] {
  return completeCommand(spec, words, current, inputs, () => OVERRIDES);
}

function completeCommand(
  spec: CommandSpec,
  args: readonly string[],
  current: string,
  inputs: CompletionInputs,
  positional: (before: readonly string[]) => Positional,
): Candidate[] {
  const options = [...GLOBAL_OPTIONS, ...spec.options].filter((o) => !o.hidden);
  const flags = new Map<string, string>();
  const positionals: string[] = [];
  let pending: OptionSpec | undefined;
  for (const [i, word] of args.entries()) {
    if (pending) {
      flags.set(pending.name, word);
      pending = undefined;
    } else if (word === '--') {
      // After `--` comes a program's command line (trellis run): not ours to complete.
      return spec.name === 'run' ? [] : completeCommand(spec, [...args.slice(0, i), ...args.slice(i + 1)], current, inputs, positional);
    } else if (word.startsWith('-') && !word.includes('=')) {
      const option = findOption(options, word);
      if (option?.type === 'string' && option.arg && !option.arg.startsWith('[')) pending = option;
    } else if (/^--?[\w-]+=/.test(word)) {
      const option = findOption(options, word.slice(0, word.indexOf('=')));
      if (option) flags.set(option.name, word.slice(word.indexOf('=') + 1));
    } else positionals.push(word);
  }
  const open = () => inputs.config(flags.get('config-dir') ?? flags.get('config-path'), flags.get('config-name'), positionals);
  if (pending) return optionValues(pending, '', '', open);
  const inline = /^(--?[\w-]+)=(.*)$/.exec(current);
  if (inline) {
    const option = findOption(options, inline[1]!);
    return option ? optionValues(option, inline[2]!, `${inline[1]}=`, open) : [];
  }
  if (current.startsWith('-')) return flagCandidates(options, current);
  const slot = positional(positionals);
  switch (slot.kind) {
    case 'words':
      return filter(slot.words, current);
    case 'runs':
      return runCandidates(inputs.runs(), current);
    case 'overrides': {
      const view = open();
      return view ? overrideCandidates(view, current, inputs.schema?.()) : [];
    }
    default:
      return [];
  }
}

function findOption(options: readonly OptionSpec[], word: string): OptionSpec | undefined {
  const name = word.replace(/^-+/, '');
  return options.find((o) => o.name === name || o.alias?.includes(name));
}

/** `--name` and long aliases for every option; Hydra's short ones (`-m`, `-cn`) while the word has one dash. */
function flagCandidates(options: readonly OptionSpec[], current: string): Candidate[] {
  const out: Candidate[] = [];
  for (const o of options) {
    out.push({ value: `--${o.name}`, description: o.description });
    for (const a of o.alias ?? []) {
      if (a.length > 2) out.push({ value: `--${a}`, description: o.description });
      else if (!current.startsWith('--')) out.push({ value: `-${a}`, description: o.description });
    }
  }
  return filter(out, current);
}

function optionValues(option: OptionSpec, typed: string, prefix: string, open: () => ConfigView | undefined): Candidate[] {
  let values: Candidate[] = [];
  if (option.values) values = option.values.map((v) => ({ value: v }));
  else if (option.name === 'config-name') {
    const view = open();
    values = (view ? (quiet(() => view.files.listOptions('')) ?? []) : []).map((v) => ({ value: v, description: 'primary config' }));
  }
  return filter(
    values.map((c) => ({ ...c, value: prefix + c.value })),
    prefix + typed,
  );
}

function runCandidates(runs: readonly RunRef[], current: string): Candidate[] {
  const out: Candidate[] = [];
  for (const r of runs) {
    out.push({ value: r.id, description: `${r.description}  ${r.dir}` });
    out.push({ value: r.dir, description: `${r.description}  ${r.id}` });
  }
  return filter(out, current);
}

/**
 * Hydra's candidates for an override word (CompletionPlugin._query): groups (`db=`, `db/` for
 * nested ones) and their options (`db=mysql`); keys (`db.` for nodes, `db.port=` for values) and
 * after `=` the current value; plus sweep functions and, with a schema, enum values and
 * descriptions. `+`, `++` and `~` prefixes are kept on every candidate.
 */
export function overrideCandidates(view: ConfigView, word: string, schema?: JsonSchema): Candidate[] {
  const sign = /^(\+\+|\+|~)?/.exec(word)![0];
  const body = word.slice(sign.length);
  const eq = body.indexOf('=');
  const out = eq === -1 ? keyCandidates(view, body, sign, schema) : valueCandidates(view, body.slice(0, eq), body.slice(eq + 1), schema);
  return filter(
    out.map((c) => ({ ...c, value: sign + c.value })),
    word,
  );
}

function keyCandidates(view: ConfigView, body: string, sign: string, schema: JsonSchema | undefined): Candidate[] {
  const out: Candidate[] = [];
  const repo = view.files;
  // Groups: options follow `=`, nested groups follow `/`.
  const slash = body.lastIndexOf('/');
  const parent = slash === -1 ? '' : body.slice(0, slash);
  if (!body.includes('.') && quiet(() => repo.groupExists(parent))) {
    for (const name of quiet(() => repo.listGroups(parent)) || []) {
      const group = parent ? `${parent}/${name}` : name;
      const options = quiet(() => repo.listOptions(group)) || [];
      const chosen = view.chosen(group);
      if (options.length) {
        const description = chosen.length ? `group: ${chosen.join(', ')} (of ${options.join(', ')})` : `group: ${options.join(', ')}`;
        out.push({ value: sign === '~' ? group : `${group}=`, description, more: sign !== '~' });
      }
      if ((quiet(() => repo.listGroups(group)) || []).length) out.push({ value: `${group}/`, description: 'nested groups', more: true });
    }
  }
  if (sign === '+' || slash !== -1) return out;
  // Keys of the config at the path before the last dot.
  const dot = body.lastIndexOf('.');
  const base = dot === -1 ? '' : body.slice(0, dot);
  const hint = schema ? schemaHint(schema, base) : undefined;
  const entries: ViewEntry[] = view.keysAt(base);
  const seen = new Set<string>();
  for (const e of entries) {
    const path = base ? `${base}.${e.key}` : e.key;
    seen.add(e.key);
    const described = hint?.keys.get(e.key);
    const current = e.tree && 'v' in e.tree ? e.tree.v : undefined;
    const description = [current !== undefined ? `= ${current}` : undefined, described].filter(Boolean).join('  ') || undefined;
    if (sign === '~') out.push({ value: path, description });
    else if (e.container) out.push({ value: `${path}.`, description: description ?? 'node', more: true });
    else out.push({ value: `${path}=`, description, more: true });
  }
  // Schema keys no file sets yet (optional ones) can be added with `+`.
  if (sign === '++' && hint) {
    for (const [key, description] of hint.keys) if (!seen.has(key)) out.push({ value: `${base ? `${base}.` : ''}${key}=`, description, more: true });
  }
  return out;
}

function valueCandidates(view: ConfigView, key: string, typed: string, schema: JsonSchema | undefined): Candidate[] {
  const out: Candidate[] = [];
  const repo = view.files;
  const at = key.indexOf('@');
  const group = at === -1 ? key : key.slice(0, at);
  if (!key.includes('.') && quiet(() => repo.groupExists(group)) && (quiet(() => repo.listOptions(group)) || []).length) {
    const chosen = view.chosen(group);
    for (const option of quiet(() => repo.listOptions(group)) ?? [])
      out.push({ value: `${key}=${option}`, description: chosen.includes(option) ? 'current choice' : undefined });
    return out;
  }
  const entry = view.entryAt(key);
  const seen = new Set<string>();
  const current = entry?.tree ? treeText(entry.tree) : undefined;
  if (current !== undefined) {
    seen.add(current);
    out.push({ value: `${key}=${current}`, description: 'current value' });
  }
  const hint = schema ? schemaHint(schema, key) : undefined;
  for (const v of hint?.values ?? []) {
    if (seen.has(v)) continue;
    seen.add(v);
    out.push({ value: `${key}=${v}`, description: hint?.description ?? 'allowed value' });
  }
  // Sweep functions (choice, range, interval, glob…): only worth offering once a name is begun
  // or nothing is typed, so a value's own candidates are not drowned.
  if (!/[(,[{]/.test(typed)) {
    for (const fn of FUNCTION_NAMES) out.push({ value: `${key}=${fn}(`, description: CASTS.has(fn) ? 'cast' : 'sweep function', more: true });
  }
  return out;
}

/** A value as override text: lists and dicts in flow style, as Hydra's override grammar reads them. */
function treeText(tree: SummaryTree): string {
  if ('v' in tree) return tree.v;
  if ('l' in tree) return `[${tree.l.map(treeText).join(',')}]`;
  return `{${tree.d.map(([k, v]) => `${k}:${treeText(v)}`).join(',')}}`;
}

/** Candidates starting with the typed word, sorted, first occurrence of each value kept. */
function filter(candidates: readonly Candidate[], typed: string): Candidate[] {
  const seen = new Set<string>();
  const out: Candidate[] = [];
  for (const c of candidates) {
    if (!c.value.startsWith(typed) || seen.has(c.value)) continue;
    seen.add(c.value);
    out.push(c);
  }
  return out.sort((a, b) => (a.value < b.value ? -1 : a.value > b.value ? 1 : 0));
}
