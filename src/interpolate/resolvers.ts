import { TrellisError } from '../errors/index.js';
import { cloneNode, dictNode, isMissing, listNode, setKey, valueNode, type DictNode, type Node } from '../tree/node.js';
import { pythonStr, pythonTypeName } from './python-str.js';
import { ResolverRegistry } from './registry.js';
import { strftime } from './strftime.js';
import { isSecretName } from '../run/secrets.js';
import type { ResolverCall, ResolverFn } from './types.js';

/**
 * The built-in resolvers: OmegaConf 2.2's `oc.*`, Hydra's `now` and `hydra`, and `trellis`
 * (the same lookup under trellis's own name). There is deliberately no `env`: OmegaConf
 * removed it, and a config using it must fail as it does there.
 */

function typeError(message: string, hint?: string): TrellisError {
  return new TrellisError('INTERPOLATION_TYPE', message, { hint });
}

/** The argument as a string, or a type error naming the resolver. */
function stringArg(args: Node[], i: number, resolver: string, what: string): string {
  const node = args[i];
  if (node?.kind === 'value' && typeof node.value === 'string') return node.value;
  throw typeError(`${resolver} takes ${what} as a string, but got ${node ? pythonStr(node) : 'no argument'} (${pythonTypeName(node)})`);
}

function arity(args: Node[], min: number, max: number, usage: string): void {
  if (args.length < min || args.length > max) {
    throw typeError(`${usage} takes ${min === max ? min : `${min} to ${max}`} argument(s), got ${args.length}`, `use ${usage}`);
  }
}

/** `${oc.env:VAR}`, `${oc.env:VAR,default}`: always text; a set-but-empty variable is `""`. */
const ocEnv: ResolverFn = (args, call) => {
  arity(args, 1, 2, '${oc.env:NAME[,default]}');
  const name = stringArg(args, 0, 'oc.env', 'the variable name');
  const value = call.ctx.env[name];
  call.ctx.envReads?.set(name, value);
  if (value !== undefined) {
    if (value !== '' && isSecretName(name)) call.ctx.secrets.add(value);
    return value; // never parsed: `${...}` inside the variable stays text
  }
  const fallback = args[1];
  if (fallback === undefined) {
    throw new TrellisError('INTERPOLATION_RESOLVER_FAILED', `Environment variable '${name}' not found`, {
      hint: `set ${name}, or give a default: \${oc.env:${name},default}`,
    });
  }
  if (fallback.kind === 'value' && fallback.value === null) return null;
  return pythonStr(fallback); // 5.5 → "5.5", true → "True", as Python's str()
};

/** `${oc.select:key[,default]}`: `???` and absent keys give the default (or null); an explicit null is a value. */
const ocSelect: ResolverFn = (args, call) => {
  arity(args, 1, 2, '${oc.select:key[,default]}');
  const key = stringArg(args, 0, 'oc.select', 'the key');
  const found = call.select(key);
  if (found === undefined || isMissing(found)) return args[1] ?? null;
  return found;
};

/** `${oc.decode:text}`: the text parsed by the interpolation grammar (not YAML) and resolved here. */
const ocDecode: ResolverFn = (args, call) => {
  arity(args, 1, 1, '${oc.decode:text}');
  const text = args[0] as Node;
  if (text.kind === 'value' && text.value === null) return null;
  if (text.kind !== 'value' || typeof text.value !== 'string') {
    throw typeError(`\`oc.decode\` can only take strings or None as input, but \`${pythonStr(text)}\` is of type ${pythonTypeName(text)}`);
  }
  return call.decode(text.value);
};

/** `${oc.create:...}`: a config node from a dict, a list, or YAML text (`abc` gives `{abc: null}`). */
const ocCreate: ResolverFn = (args, call) => {
  arity(args, 1, 1, '${oc.create:value}');
  const obj = args[0] as Node;
  if (obj.kind !== 'value') {
    const created = cloneNode(obj);
    delete created.opaque; // OmegaConf.create turns a plain list or dict into a config node
    return created;
  }
  // OmegaConf.create(None) is a DictConfig holding None: null as a value, 'None' inside a string.
  if (obj.value === null) return valueNode(null);
  if (typeof obj.value !== 'string') {
    throw typeError(`oc.create cannot make a config from ${pythonStr(obj)} (${pythonTypeName(obj)}): give a dict, a list or YAML text`);
  }
  let parsed: Node;
  if (call.ctx.parseYaml) parsed = call.ctx.parseYaml(obj.value);
  else if (/^[^\s:{}[\],#&*!|>'"%@`-][^:{}[\],#]*$/.test(obj.value.trim()) || obj.value.trim() === '') parsed = valueNode(obj.value.trim() || null);
  else {
    throw new TrellisError('INTERPOLATION_RESOLVER_FAILED', `oc.create needs a YAML parser for ${JSON.stringify(obj.value)}`, {
      hint: 'pass parseYaml in the resolve context',
    });
  }
  if (parsed.kind !== 'value') return parsed;
  if (parsed.value === null) return dictNode();
  if (typeof parsed.value === 'string') {
    const dict = dictNode();
    setKey(dict, parsed.value, valueNode(null));
    return dict;
  }
  throw typeError(`oc.create cannot make a config from the YAML scalar ${pythonStr(parsed)} (${pythonTypeName(parsed)})`);
};

/** `${oc.deprecated:new.key[,message]}`: the node at the new key, with a warning naming both keys. */
const ocDeprecated: ResolverFn = (args, call) => {
  arity(args, 1, 2, '${oc.deprecated:key[,message]}');
  const key = stringArg(args, 0, 'oc.deprecated', 'the interpolation key');
  const message =
    args.length > 1 ? stringArg(args, 1, 'oc.deprecated', 'the message') : "'$OLD_KEY' is deprecated. Change your code and config to use '$NEW_KEY'";
  const target = call.select(key);
  if (target === undefined) {
    throw new TrellisError('INTERPOLATION_KEY_MISSING', `In oc.deprecated resolver at '${call.keyPath}': Key not found: '${key}'`);
  }
  const values: Record<string, string> = { OLD_KEY: call.keyPath, NEW_KEY: call.pathOf(target) ?? key };
  // Python's string.Template.safe_substitute: $NAME or ${NAME}; $$ is a dollar; unknown names stay.
  call.warn(
    message.replace(/\$(?:(\$)|([A-Za-z_][A-Za-z0-9_]*)|\{([A-Za-z_][A-Za-z0-9_]*)\})/g, (m, dollar?: string, a?: string, b?: string) =>
      dollar ? '$' : (values[a ?? b ?? ''] ?? m),
    ),
  );
  return target;
};

/** The dict at `key` (select from the root, `.x` relative): OmegaConf's `_get_and_validate_dict_input`. */
function dictInput(args: Node[], call: ResolverCall, resolver: string): { dict: DictNode; key: string } {
  arity(args, 1, 1, `\${${resolver}:key}`);
  const arg = args[0] as Node;
  if (arg.kind !== 'value' || typeof arg.value !== 'string') {
    throw typeError(
      `\`${resolver}\` requires a string as input, but obtained \`${pythonStr(arg)}\` of type: ${pythonTypeName(arg)}`,
      `write the key, as in \${${resolver}:path.to.dict}`,
    );
  }
  const found = call.select(arg.value, { throwOnMissing: true });
  if (found === undefined) {
    throw new TrellisError('INTERPOLATION_KEY_MISSING', `Key not found: '${arg.value}'`);
  }
  if (found.kind !== 'dict' || found.opaque) throw typeError(`\`${resolver}\` cannot be applied to objects of type: ${pythonTypeName(found)}`);
  return { dict: found, key: arg.value };
}

const ocDictKeys: ResolverFn = (args, call) => {
  const { dict } = dictInput(args, call, 'oc.dict.keys');
  return listNode([...dict.entries.values()].map((e) => valueNode(e.key, e.keyFloat === true)));
};

/** A list of interpolations to the values, so they stay live (as OmegaConf builds it). */
const ocDictValues: ResolverFn = (args, call) => {
  const { dict, key } = dictInput(args, call, 'oc.dict.values');
  // One more dot for a relative key: the values sit one level deeper, inside the new list.
  const base = key.startsWith('.') ? `.${key}` : key;
  return listNode([...dict.entries.values()].map((e) => valueNode(`\${${base}.${pythonStr(valueNode(e.key, e.keyFloat === true))}}`)));
};

/** Hydra's `${now:pattern}`: the run's time (ctx.now), formatted like Python's strftime. */
const now: ResolverFn = (args, call) => {
  arity(args, 1, 1, '${now:pattern}');
  return strftime(call.ctx.now(), stringArg(args, 0, 'now', 'the pattern'));
};

/** Hydra's `${hydra:path}` (and `${trellis:path}`): `OmegaConf.select` in the runtime node; absent gives null. */
function runtimeLookup(name: string): ResolverFn {
  return (args, call) => {
    arity(args, 1, 1, `\${${name}:path}`);
    const path = stringArg(args, 0, name, 'the path');
    call.ctx.runtimeReads?.add(path);
    if (call.ctx.runtimeRoot) {
      const found = call.selectIn(call.ctx.runtimeRoot, `trellis${path.startsWith('[') ? '' : '.'}${path}`);
      return found === undefined || isMissing(found) ? null : found;
    }
    const runtime = call.ctx.runtime;
    if (!runtime) {
      throw new TrellisError('INTERPOLATION_RESOLVER_FAILED', `\${${name}:${path}} needs the run's runtime configuration, which is not available here`, {
        hint: `\${${name}:...} can only be resolved when a run is being set up`,
      });
    }
    const found = call.selectIn(runtime, path);
    return found === undefined || isMissing(found) ? null : found;
  };
}

/** A registry holding the built-in resolvers; add your own with `register`. */
export function createDefaultResolvers(): ResolverRegistry {
  return new ResolverRegistry()
    .register('oc.env', ocEnv)
    .register('oc.select', ocSelect)
    .register('oc.decode', ocDecode)
    .register('oc.create', ocCreate)
    .register('oc.deprecated', ocDeprecated)
    .register('oc.dict.keys', ocDictKeys)
    .register('oc.dict.values', ocDictValues)
    .register('now', now, { cache: true })
    .register('hydra', runtimeLookup('hydra'))
    .register('trellis', runtimeLookup('trellis'));
}
