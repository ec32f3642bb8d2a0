import { basename } from 'node:path';
import yargsParser from 'yargs-parser';
import { TrellisError, collectErrors, didYouMean } from '../errors/index.js';
import { GLOBAL_OPTIONS, type CommandSpec } from './command-spec.js';

export interface ParsedArgv {
  flags: Record<string, string | boolean | undefined>;
  overrides: string[];
}

/** A string flag's value, or undefined when it is absent or empty. */
export function flagText(flags: ParsedArgv['flags'], name: string): string | undefined {
  const value = flags[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** Parses a command's arguments with its option table. Pure. */
export function parseCommandArgv(spec: CommandSpec, args: readonly string[]): ParsedArgv {
  const options = [...GLOBAL_OPTIONS, ...spec.options];
  const alias: Record<string, string[]> = {};
  const boolean: string[] = [];
  const string: string[] = [];
  for (const o of options) {
    if (o.alias) alias[o.name] = o.alias;
    (o.type === 'boolean' ? boolean : string).push(o.name);
  }
  const parsed = yargsParser([...args], {
    alias,
    boolean,
    string,
    configuration: {
      'camel-case-expansion': false,
      'dot-notation': false,
      'parse-numbers': false,
      'parse-positional-numbers': false,
      'short-option-groups': false,
      'duplicate-arguments-array': false,
      'strip-aliased': true,
      'unknown-options-as-args': true,
      'boolean-negation': false,
    },
  });
  const known = new Set(options.flatMap((o) => [o.name, ...(o.alias ?? [])]));
  const overrides: string[] = [];
  const problems = collectErrors();
  // An app is its own command: `node train.js`, not a trellis subcommand.
  const command = spec.name === 'app' ? `node ${basename(process.argv[1] ?? 'app.js')}` : `trellis ${spec.name}`;
  for (const item of parsed._.map(String)) {
    if (item.startsWith('-') && !item.includes('=')) {
      const name = item.replace(/^-+/, '');
      const overrideHint = spec.takesOverrides ? `; a config value is set without dashes: KEY=VALUE (e.g. ${name}=…)` : '';
      problems.add(
        new TrellisError('USAGE', `Unknown option '${item}' for '${command}'`, {
          hint: didYouMean(name, known) ?? `see '${command} --help'${overrideHint}`,
        }),
      );
    } else overrides.push(item);
  }
  if (!spec.takesOverrides && overrides.length) {
    problems.add(new TrellisError('USAGE', `'trellis ${spec.name}' takes no arguments, got '${overrides[0]}'`));
  }
  const flags: ParsedArgv['flags'] = {};
  for (const o of options) {
    const raw = parsed[o.name] as unknown;
    const value = Array.isArray(raw) ? raw[raw.length - 1] : raw;
    flags[o.name] = value === undefined ? o.default : (value as string | boolean);
    if (o.values && typeof flags[o.name] === 'string' && !o.values.includes(flags[o.name] as string)) {
      problems.add(new TrellisError('USAGE', `--${o.name} must be one of ${o.values.join(', ')}, got '${String(flags[o.name])}'`));
    }
  }
  problems.throwIfAny();
  return { flags, overrides };
}
