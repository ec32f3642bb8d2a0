import { TrellisError, type ErrorWhere } from '../errors/index.js';
import { dictNode, listNode, setEntry, valueNode, type Node, type Origin, type Scalar } from '../tree/node.js';
import { intScalar } from '../util/python.js';
import { pyTypeName } from './compare.js';
import { formatKeyElement } from './format.js';
import type { DictKey, Override, ParsedElement, ParsedValue } from './types.js';
import { isSweepValue } from './types.js';

/** Where an override is, for errors about it. */
export function overrideWhere(override: Pick<Override, 'text' | 'index'>): ErrorWhere {
  return { kind: 'override', text: override.text, index: override.index };
}

function keyScalar(key: DictKey): { key: Scalar; keyFloat?: boolean } {
  switch (key.kind) {
    case 'string':
      return { key: key.value };
    case 'int':
      return { key: intScalar(key.value) };
    case 'float':
      return { key: key.value, keyFloat: true };
    case 'bool':
      return { key: key.value };
    case 'null':
      return { key: null };
  }
}

function elementToNode(value: ParsedElement, origin: Origin | undefined): Node {
  switch (value.kind) {
    case 'string':
    case 'quoted':
      // Override.value(): quoted strings lose their quotes; interpolations stay as text.
      return valueNode(value.value, false, origin);
    case 'int':
      return valueNode(intScalar(value.value), false, origin);
    case 'float':
      return valueNode(value.value, true, origin);
    case 'bool':
      return valueNode(value.value, false, origin);
    case 'null':
      return valueNode(null, false, origin);
    case 'list':
      return listNode(
        value.items.map((item) => elementToNode(item, origin)),
        origin,
      );
    case 'dict': {
      const dict = dictNode(origin);
      for (const entry of value.entries) setEntry(dict, { ...keyScalar(entry.key), node: elementToNode(entry.value, origin) });
      return dict;
    }
  }
}

/**
 * A parsed value as a config tree node: ints stay ints (bigint beyond 2^53), floats are flagged,
 * quoted strings become plain strings. Sweeps have no single value: SWEEP_INVALID.
 */
export function valueToNode(value: ParsedValue, origin?: Origin): Node {
  if (isSweepValue(value)) {
    throw new TrellisError('SWEEP_INVALID', `A ${value.kind} sweep has no single value`, {
      where: origin,
      hint: 'expand sweeps into jobs first (sweep/expand), then compose each job',
    });
  }
  return elementToNode(value, origin);
}

/**
 * The option(s) a group override selects: a string, or a list of strings. Hydra 1.3 rejects
 * anything else (`db=null` is "Config group override must be a string or a list. Got
 * NoneType"). Undefined for `~group` without a value.
 */
export function groupChoiceOf(override: Override): string | string[] | undefined {
  const value = override.value;
  if (value === undefined) return undefined;
  const fail = (got: string): never => {
    const hint =
      got === 'NoneType'
        ? `to remove the group from the defaults list use '~${override.key}'`
        : `quote the option name: ${formatKeyElement(override)}='${override.text.slice(override.text.indexOf('=') + 1)}'`;
    throw new TrellisError('OVERRIDE_INVALID', `Config group override must be a string or a list. Got ${got}`, {
      where: overrideWhere(override),
      keyPath: override.key,
      hint,
    });
  };
  if (isSweepValue(value)) {
    throw new TrellisError('SWEEP_INVALID', `A ${value.kind} sweep is not a single group choice: '${override.text}'`, {
      where: overrideWhere(override),
      keyPath: override.key,
      hint: 'sweeps are expanded into one choice per job; use --multirun',
    });
  }
  if (value.kind === 'string' || value.kind === 'quoted') return value.value;
  if (value.kind === 'list') {
    return value.items.map((item) => (item.kind === 'string' || item.kind === 'quoted' ? item.value : fail(`list containing ${pyTypeName(item)}`)));
  }
  return fail(pyTypeName(value));
}
