import { TrellisError } from '../errors/index.js';
import type { Node, Origin } from '../tree/node.js';
import { ConfigDefault, GroupDefault, type InputDefault } from './entries.js';

/** Splits `group@pkg` (Hydra also reads the legacy `group@pkg1:pkg2` rename form). */
function splitGroupPackage(text: string): { group: string; package: string | undefined } {
  const at = text.indexOf('@');
  if (at === -1) return { group: text, package: undefined };
  let pkg = text.slice(at + 1);
  const colon = pkg.indexOf(':');
  if (colon !== -1) pkg = pkg.slice(0, colon);
  return { group: text.slice(0, at), package: pkg };
}

function invalid(configPath: string, message: string, origin: Origin | undefined, hint?: string): TrellisError {
  return new TrellisError('DEFAULTS_INVALID', `In '${configPath}': ${message}`, { where: origin, hint });
}

/** Reads a defaults list node (from YAML) into entries, collecting every malformed item. */
export function parseDefaultsList(configPath: string, list: Node): InputDefault[] {
  if (list.kind !== 'list') throw invalid(configPath, 'the defaults list must be a list', list.origin);
  const result: InputDefault[] = [];
  for (const item of list.items) {
    if (item.kind === 'value' && typeof item.value === 'string') {
      const { group: path, package: pkg } = splitGroupPackage(item.value);
      if (path === '_self_' && pkg !== undefined)
        throw invalid(configPath, '_self_@PACKAGE is not supported', item.origin, 'give the package in the header of the config instead');
      result.push(new ConfigDefault(path, pkg, item.origin));
      continue;
    }
    if (item.kind !== 'dict') {
      throw invalid(
        configPath,
        `unsupported defaults list item ${item.kind === 'value' ? JSON.stringify(item.value) : 'list'}`,
        item.origin,
        'items are `- config_name`, `- group: option` or `- _self_`',
      );
    }
    if (item.entries.size !== 1) {
      throw invalid(configPath, 'a defaults list item must have exactly one key', item.origin, 'write each group on its own line: `- db: mysql`');
    }
    const entry = [...item.entries.values()][0]!;
    if (typeof entry.key !== 'string') throw invalid(configPath, `the defaults list key ${String(entry.key)} is not a group name`, item.origin);
    // Hydra reads leading keywords up to the first other word, which it ignores with the rest.
    const words = entry.key.split(' ');
    const last = words.pop() ?? '';
    let optional = false;
    let override = false;
    for (const word of words) {
      if (word === 'optional') optional = true;
      else if (word === 'override') override = true;
      else break;
    }
    const { group, package: pkg } = splitGroupPackage(last);
    const v = entry.node;
    let value: string | string[] | null;
    if (v.kind === 'value' && (typeof v.value === 'string' || v.value === null)) value = v.value;
    else if (v.kind === 'list' && v.items.every((x) => x.kind === 'value' && typeof x.value === 'string')) {
      value = v.items.map((x) => (x.kind === 'value' ? String(x.value) : ''));
    } else {
      throw invalid(
        configPath,
        `the option of '${group}' must be a name, a list of names or null`,
        v.origin ?? item.origin,
        `for example: - ${group}: option_name`,
      );
    }
    result.push(new GroupDefault({ group, value, package: pkg, optional, override, origin: v.origin ?? item.origin }));
  }
  return result;
}
