import { TrellisError, collectErrors, didYouMean } from '../errors/index.js';
import type { ErrorWhere } from '../errors/index.js';
import { GroupDefault, type InputDefault } from './entries.js';

/** A command-line override that selects, adds or removes a group option. */
export interface GroupOverride {
  text: string;
  index: number;
  type: 'change' | 'add' | 'delete';
  /** `db`, `model/encoder`. */
  group: string;
  package: string | undefined;
  /** The option(s); for deletion, the option that must match (or undefined). */
  value: string | string[] | undefined;
}

interface OverrideMeta {
  external: boolean;
  containingConfigPath: string | undefined;
  used: boolean;
  where: ErrorWhere | undefined;
  text: string | undefined;
}

interface Deletion {
  name: string | undefined;
  used: boolean;
  where: ErrorWhere;
}

/** Bookkeeping of group choices while the defaults tree is built (Hydra's `Overrides`). */
export class DefaultsOverrides {
  readonly overrideChoices = new Map<string, string | string[] | null>();
  readonly overrideMeta = new Map<string, OverrideMeta>();
  readonly appendGroupDefaults: GroupDefault[] = [];
  readonly deletions = new Map<string, Deletion>();
  readonly knownChoices = new Map<string, string | null | undefined>();
  readonly knownChoicesPerGroup = new Map<string, Set<string>>();

  constructor(overrides: GroupOverride[]) {
    for (const o of overrides) {
      const where: ErrorWhere = { kind: 'override', text: o.text, index: o.index };
      const key = o.package !== undefined ? `${o.group}@${o.package}` : o.group;
      if (o.type === 'delete') {
        this.deletions.set(key, { name: typeof o.value === 'string' ? o.value : undefined, used: false, where });
      } else if (o.type === 'add') {
        const d = new GroupDefault({ group: o.group, package: o.package, value: o.value ?? null, externalAppend: true, origin: where });
        this.appendGroupDefaults.push(d);
      } else {
        this.overrideChoices.set(key, o.value ?? null);
        this.overrideMeta.set(key, { external: true, containingConfigPath: undefined, used: false, where, text: o.text });
      }
    }
  }

  addOverride(parentConfigPath: string, d: GroupDefault): void {
    const key = d.getOverrideKey();
    if (!this.overrideChoices.has(key)) {
      this.overrideChoices.set(key, d.value);
      this.overrideMeta.set(key, { external: false, containingConfigPath: parentConfigPath, used: false, where: d.origin, text: undefined });
    }
  }

  isOverridden(d: InputDefault): boolean {
    return d instanceof GroupDefault && this.overrideChoices.has(d.getOverrideKey());
  }

  overrideDefaultOption(d: GroupDefault): void {
    const key = d.getOverrideKey();
    if (!this.overrideChoices.has(key)) return;
    d.value = this.overrideChoices.get(key) ?? null;
    d.configNameOverridden = true;
    const meta = this.overrideMeta.get(key);
    if (meta) {
      meta.used = true;
      // Errors about the chosen option should point at whoever chose it.
      if (meta.where) d.origin = meta.where;
    }
  }

  setKnownChoice(d: InputDefault): void {
    if (!(d instanceof GroupDefault)) return;
    const key = d.getOverrideKey();
    const name = d.getName();
    if (!this.knownChoices.has(key)) this.knownChoices.set(key, name);
    else {
      const prev = this.knownChoices.get(key);
      if (name !== prev) {
        throw new TrellisError('DEFAULTS_DUPLICATE', `Multiple values for ${key}. To override a value use 'override ${key}: ${String(prev)}'`, {
          where: d.origin,
          hint: `a defaults list may select '${key}' once; change the other selection with 'override ${key}: ${String(prev)}', or on the command line with ${key}=${String(prev)} instead of +${key}=…`,
        });
      }
    }
    const group = d.getGroupPath();
    if (!this.knownChoicesPerGroup.has(group)) this.knownChoicesPerGroup.set(group, new Set());
    this.knownChoicesPerGroup.get(group)!.add(key);
  }

  isDeleted(d: InputDefault): boolean {
    if (!(d instanceof GroupDefault)) return false;
    const deletion = this.deletions.get(d.getOverrideKey());
    if (!deletion) return false;
    return deletion.name === undefined || deletion.name === d.getName();
  }

  delete(d: InputDefault): void {
    if (!(d instanceof GroupDefault)) return;
    d.deleted = true;
    const deletion = this.deletions.get(d.getOverrideKey());
    if (deletion) deletion.used = true;
  }

  /** Whether an override of `key` matched an entry of the defaults tree. */
  wasUsed(key: string): boolean {
    return this.overrideMeta.get(key)?.used ?? false;
  }

  /** Every override must have matched an entry; otherwise say which keys exist. */
  ensureOverridesUsed(isIgnorable: (key: string) => boolean): void {
    const problems = collectErrors();
    for (const [key, meta] of this.overrideMeta) {
      if (meta.used || isIgnorable(key)) continue;
      const group = key.split('@')[0] ?? key;
      const choices = [...(this.knownChoicesPerGroup.get(group) ?? [])].sort();
      let message = `Could not override '${key}'.`;
      let hint: string | undefined;
      if (choices.length > 1) hint = `did you mean to override one of ${choices.join(', ')}?`;
      else if (choices.length === 1) hint = `did you mean to override ${choices[0]}?`;
      else {
        message += ' No match in the defaults list.';
        hint = didYouMean(group, this.knownChoices.keys());
      }
      if (meta.containingConfigPath !== undefined) message = `In '${meta.containingConfigPath}': ${message}`;
      if (meta.external) {
        const value = this.overrideChoices.get(key);
        const fix = `+${key}=${Array.isArray(value) ? `[${value.join(',')}]` : String(value)}`;
        hint = hint ? `${hint} To append to your default list use ${fix}` : `to append to your default list use ${fix}`;
      }
      problems.add(new TrellisError('DEFAULTS_OVERRIDE_UNUSED', message, { where: meta.where, hint }));
    }
    for (const [key, deletion] of this.deletions) {
      if (deletion.used || isIgnorable(key)) continue;
      const desc = deletion.name !== undefined ? `${key}=${deletion.name}` : key;
      problems.add(
        new TrellisError('DEFAULTS_OVERRIDE_UNUSED', `Could not delete '${desc}'. No match in the defaults list`, {
          where: deletion.where,
          hint: didYouMean(key, this.knownChoices.keys()),
        }),
      );
    }
    problems.throwIfAny();
  }
}
