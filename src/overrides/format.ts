import { pythonScalarStr } from '../util/python.js';
import { ESCAPABLE } from './lexer.js';
import type { Override, ParsedElement, ParsedValue, Quote } from './types.js';
import { isSweepValue } from './types.js';
import { TrellisError } from '../errors/index.js';

/**
 * Printing parsed values back as override text, the way Hydra's basic sweeper hands each job its
 * overrides (`Override._get_value_element_as_str` and `get_key_element`).
 */

/** Hydra's escape_special_characters: a backslash before each of `\()[]{}:=, \t`. */
export function escapeSpecialCharacters(s: string): string {
  let out = '';
  for (const ch of s) out += ESCAPABLE.includes(ch) ? `\\${ch}` : ch;
  return out;
}

/** Backslashes followed by the quote: the only place a backslash escapes inside quotes. */
function backslashRunsBeforeQuote(quote: Quote): RegExp {
  return quote === "'" ? /(\\+)'/g : /(\\+)"/g;
}

/**
 * The text inside a QUOTED_VALUE token, un-escaped: `\'` is a quote, and a run of backslashes
 * before a quote (or before the closing quote) is halved. Other backslashes are literal.
 */
export function unescapeQuoted(token: string): string {
  const quote = token[0] as Quote;
  const body = token.slice(1); // keeps the closing quote so trailing runs are seen
  // An odd run escapes a quote inside; an even run precedes the closing quote. Either way half
  // the backslashes remain, then the quote (the closing one is sliced off below).
  const out = body.replace(backslashRunsBeforeQuote(quote), (_m, run: string) => '\\'.repeat(Math.floor(run.length / 2)) + quote);
  return out.slice(0, -1);
}

/** QuotedString.with_quotes(): the inverse of unescapeQuoted. */
export function quoteString(text: string, quote: Quote): string {
  const withClosing = text + quote;
  const doubled = withClosing.replace(backslashRunsBeforeQuote(quote), (_m, run: string) => `${run}${run}${quote}`);
  const body = doubled.slice(0, -1);
  return quote + body.replaceAll(quote, `\\${quote}`) + quote;
}

/**
 * Hydra's `_get_value_element_as_str`: null, Python's str() of numbers and bools (`True`,
 * `1e-05`), quoted strings with their quotes, plain strings escaped (so an interpolation becomes
 * `$\{db.driver\}`), lists and dicts re-serialised without spaces.
 */
export function formatElement(value: ParsedElement): string {
  switch (value.kind) {
    case 'null':
      return 'null';
    case 'quoted':
      return quoteString(value.value, value.quote);
    case 'string':
      return escapeSpecialCharacters(value.value);
    case 'int':
    case 'bool':
      return pythonScalarStr(value.value);
    case 'float':
      return pythonScalarStr(value.value, true);
    case 'list':
      return `[${value.items.map(formatElement).join(',')}]`;
    case 'dict':
      return `{${value.entries.map((e) => `${formatElement(e.key)}:${formatElement(e.value)}`).join(',')}}`;
  }
}

/** `get_key_element`: the prefix (`~`, `+`, `++`), the key, and `@pkg` when given. */
export function formatKeyElement(override: Pick<Override, 'type' | 'key' | 'package'>): string {
  const prefix = { change: '', add: '+', 'force-add': '++', delete: '~' }[override.type];
  return `${prefix}${override.key}${override.package === undefined ? '' : `@${override.package}`}`;
}

/**
 * The `key=value` text the basic sweeper gives a job: `element` is one sweep value, or (default)
 * the override's own value. `~key` becomes `~key=null`, as in Hydra.
 */
export function formatOverrideForJob(override: Override, element?: ParsedElement): string {
  const value: ParsedValue | undefined = element ?? override.value;
  if (isSweepValue(value)) {
    throw new TrellisError('SWEEP_INVALID', `Cannot convert sweep to str: '${override.text}'`, {
      where: { kind: 'override', text: override.text, index: override.index },
      hint: 'pass one element of the sweep (see sweepElements)',
    });
  }
  return `${formatKeyElement(override)}=${formatElement(value ?? { kind: 'null' })}`;
}
