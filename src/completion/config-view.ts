import { splitDottedKey } from '../util/key-path.js';
import { quiet, type ConfigFiles, type SummaryTree } from './config-files.js';

/** One key of a config node as completion sees it: containers go on with `.`, leaves take `=`. */
export interface ViewEntry {
  key: string;
  container: boolean;
  /** The value when the files give one; absent for a node known only from a package. */
  tree?: SummaryTree | undefined;
}

interface Choice {
  group: string;
  options: string[];
  /** Package from the defaults list (`group@pkg`), before any `# @package` header. */
  package: string | null;
}

const segments = (path: string): string[] => (path ? splitDottedKey(path).filter(Boolean) : []);

/** Hydra's package of a group option: `_global_` is the root; `_group_` and the default are the group's path. */
function packageOf(group: string, explicit: string | null): string {
  const own = group.replaceAll('/', '.');
  if (explicit === null || explicit === '_group_') return own;
  if (explicit === '_global_') return '';
  return explicit.replace(/^_global_\./, '').replace(/^_group_/, own);
}

/** `group=option`, `+group=option`, `group@pkg=option`: an override that changes a choice. */
const CHOICE_OVERRIDE = /^\+{0,2}([\w/.-]+?)(?:@([\w.]+))?=([\w.-]+)$/;

/**
 * The config a command line would compose, seen lazily for completion: the primary config's own
 * keys and, under each group's package, the chosen option's keys. Only options whose package
 * lies on the path asked for (by the group's name or `@package`) are read; nothing is composed,
 * merged or interpolated, so nested defaults of options and `# @package` headers that move an
 * option off its group's path are not seen. Pure given the files.
 */
export class ConfigView {
  private readonly choices: Choice[];
  private readonly primary: SummaryTree | undefined;

  constructor(
    readonly files: ConfigFiles,
    configName: string,
    /** The override words already on the line: `group=option` changes a choice. */
    overrides: readonly string[],
  ) {
    const primary = quiet(() => files.summary(configName));
    this.primary = primary?.tree;
    const choices: Choice[] = (primary?.defaults ?? []).map((d) => ({ ...d, options: [...d.options] }));
    for (const word of overrides) {
      const match = CHOICE_OVERRIDE.exec(word);
      if (!match || !quiet(() => files.configExists(`${match[1]}/${match[3]}`))) continue;
      const existing = choices.find((c) => c.group === match[1]);
      if (existing) existing.options = [match[3]!];
      else choices.push({ group: match[1]!, options: [match[3]!], package: match[2] ?? null });
    }
    this.choices = choices;
  }

  /** The chosen options of a group (from the line, else the defaults list). */
  chosen(group: string): string[] {
    return this.choices.find((c) => c.group === group)?.options ?? [];
  }

  /** The keys under a dotted path (`''` for the top level); a later source wins, as in a merge. */
  keysAt(path: string): ViewEntry[] {
    const at = segments(path);
    const out = new Map<string, ViewEntry>();
    const addFrom = (tree: SummaryTree | undefined) => {
      if (tree && 'd' in tree) for (const [key, value] of tree.d) out.set(key, { key, container: !('v' in value), tree: value });
      if (tree && 'l' in tree) tree.l.forEach((value, i) => out.set(String(i), { key: String(i), container: !('v' in value), tree: value }));
    };
    // A package deeper than the path names the next key, without reading the option's file.
    const addPackageKey = (pkg: string[]) => {
      const key = pkg[at.length]!;
      if (!out.has(key)) out.set(key, { key, container: true });
    };
    addFrom(descend(this.primary, at));
    for (const choice of this.choices) {
      const declared = segments(packageOf(choice.group, choice.package));
      if (declared.length > at.length && at.every((s, i) => declared[i] === s)) {
        addPackageKey(declared);
        continue;
      }
      if (!declared.every((s, i) => at[i] === s)) continue;
      for (const option of choice.options) {
        const summary = quiet(() => this.files.summary(`${choice.group}/${option}`));
        if (!summary) continue;
        const pkg = choice.package === null && summary.header !== null ? segments(packageOf(choice.group, summary.header)) : declared;
        if (pkg.length > at.length && at.every((s, i) => pkg[i] === s)) addPackageKey(pkg);
        else if (pkg.every((s, i) => at[i] === s)) addFrom(descend(summary.tree, at.slice(pkg.length)));
      }
    }
    return [...out.values()];
  }

  /** The entry at a dotted key, or undefined. */
  entryAt(key: string): ViewEntry | undefined {
    const parts = segments(key);
    const last = parts.pop();
    if (last === undefined) return undefined;
    return this.keysAt(parts.join('.')).find((e) => e.key === last);
  }
}

function descend(tree: SummaryTree | undefined, path: readonly string[]): SummaryTree | undefined {
  let current = tree;
  for (const s of path) {
    if (current && 'd' in current) current = current.d.find(([k]) => k === s)?.[1];
    else if (current && 'l' in current && /^\d+$/.test(s)) current = current.l[Number(s)];
    else return undefined;
  }
  return current;
}
