import { TrellisError, collectErrors } from '../errors/index.js';
import { keyText, type Node, type Origin } from '../tree/node.js';
import { appendIndex, appendKey } from '../util/key-path.js';
import { pointInto } from './locate.js';
import type { Element, Text } from './ast.js';
import { GrammarFailure, parseConfigValue, parseSingleElement } from './parse.js';

/**
 * OmegaConf parses every string containing `${` when it is stored, so a grammar error is a
 * load-time error even if the value is later overridden or never read. These run the same
 * check: call them when a file or an override is loaded.
 */

function syntaxError(e: unknown, text: string, origin: Origin | undefined, keyPath: string | undefined): TrellisError {
  if (!(e instanceof GrammarFailure)) throw e;
  return new TrellisError('INTERPOLATION_SYNTAX', `Invalid interpolation in ${JSON.stringify(text)}: ${e.message} (at character ${e.offset + 1})`, {
    where: pointInto(origin, text, e.offset, e.length),
    keyPath,
    hint: 'escape a literal ${ as \\${',
  });
}

/** The syntax tree of a config value (grammar rule `configValue`); throws INTERPOLATION_SYNTAX. */
export function parseValue(value: string, origin?: Origin, keyPath?: string): Text {
  try {
    return parseConfigValue(value);
  } catch (e) {
    throw syntaxError(e, value, origin, keyPath);
  }
}

/** The syntax tree of one resolver argument (rule `singleElement`, what `oc.decode` reads); throws INTERPOLATION_SYNTAX. */
export function parseElement(text: string): Element {
  try {
    return parseSingleElement(text);
  } catch (e) {
    throw syntaxError(e, text, undefined, undefined);
  }
}

// OmegaConf's SIMPLE_INTERPOLATION_PATTERN (grammar_parser.py, re.ASCII), built the same way.
const WS = '[ \\t\\n\\r\\f\\v]';
const CONFIG_KEY = '[$\\w]+';
const KEY_MAYBE_BRACKETS = `${CONFIG_KEY}|\\[${CONFIG_KEY}\\]`;
const NODE_ACCESS = `\\.${KEY_MAYBE_BRACKETS}`;
const NODE_PATH = `(\\.)*(${KEY_MAYBE_BRACKETS})(${NODE_ACCESS})*`;
const NODE_INTER = `\\$\\{${WS}*${NODE_PATH}${WS}*\\}`;
const ID = '[a-zA-Z_]\\w*';
const RESOLVER_NAME = `(${ID}(\\.${ID})*)?`;
const ARG = '[a-zA-Z_0-9/\\-\\+.$%*@?|]+';
const ARGS = `${ARG}(${WS}*,${WS}*${ARG})*`;
const RESOLVER_INTER = `\\$\\{${WS}*${RESOLVER_NAME}${WS}*:${WS}*${ARGS}?${WS}*\\}`; // `?` makes ARGS' last `*` lazy, as in Python
const INTER = `(${NODE_INTER}|${RESOLVER_INTER})`;
const OUTER = '([^$]|\\$(?!\\{))+';
const SIMPLE_INTERPOLATION_PATTERN = new RegExp(`^(${OUTER})?(${INTER}(${OUTER})?)+$`);

/**
 * Throws INTERPOLATION_SYNTAX (pointing at the column) when `value` is not a valid OmegaConf value.
 * As OmegaConf does when it stores a value, strings that match its cheap "simple interpolation"
 * pattern are not parsed here: the few invalid ones it lets through (`${:x}`, an empty resolver
 * name) only fail when they are resolved.
 */
export function checkInterpolationSyntax(value: string, origin?: Origin, keyPath?: string): void {
  // OmegaConf parses exactly the strings that contain `${` (escaped ones included).
  if (value.includes('${') && !SIMPLE_INTERPOLATION_PATTERN.test(value)) parseValue(value, origin, keyPath);
}

/** Every grammar error in the tree's string values, in document order. */
export function findSyntaxErrors(node: Node, path = ''): TrellisError[] {
  const problems = collectErrors();
  const visit = (n: Node, p: string): void => {
    if (n.kind === 'value') {
      const value = n.value;
      if (typeof value === 'string') problems.attempt(() => checkInterpolationSyntax(value, n.origin, p || undefined));
    } else if (n.kind === 'list') n.items.forEach((item, i) => visit(item, appendIndex(p, i)));
    else for (const e of n.entries.values()) visit(e.node, appendKey(p, keyText(e)));
  };
  visit(node, path);
  return [...problems.errors];
}

/** Throws one INTERPOLATION_SYNTAX error for the whole tree, the others attached as `related`. */
export function checkTreeSyntax(node: Node, path = ''): void {
  collectErrors(findSyntaxErrors(node, path)).throwIfAny();
}
