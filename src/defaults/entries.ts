import type { Origin } from '../tree/node.js';

/**
 * Defaults-list entries, with Hydra 1.3's rules for group paths, config paths and packages.
 * `parentBaseDir`/`parentPackage` are set once the entry's containing config is known.
 */
abstract class BaseDefault {
  package: string | undefined;
  packageHeader: string | undefined;
  parentBaseDir: string | undefined;
  parentPackage: string | undefined;
  primary = false;
  deleted = false;
  origin: Origin | undefined;

  constructor(pkg: string | undefined, origin?: Origin) {
    // `group@_here_`: the package of the config that holds the entry.
    this.package = pkg === '_here_' ? '' : pkg;
    this.origin = origin;
  }

  abstract getName(): string | null | undefined;
  abstract getGroupPath(): string;
  abstract getConfigPath(): string;
  protected abstract relativeGroupPath(): string;

  isSelf(): boolean {
    return false;
  }
  isOverride(): boolean {
    return false;
  }
  isOptional(): boolean {
    return false;
  }
  isInterpolation(): boolean {
    return false;
  }
  isMissing(): boolean {
    return false;
  }

  updateParent(parentBaseDir: string, parentPackage: string): void {
    this.parentBaseDir = parentBaseDir;
    this.parentPackage = parentPackage;
    // `group@_group_` in a defaults list is the group path, taken as absolute.
    if (this.package?.includes('_group_')) this.package = `_global_.${this.package.replaceAll('_group_', this.getDefaultPackage())}`;
  }

  /** A header is always absolute: `# @package x` means `_global_.x`. */
  setPackageHeader(header: string | undefined): void {
    // Hydra 1.1: `_group_` alone is the default package, as if there were no header.
    if (header === undefined || header === '_group_') return;
    let value = header;
    if (value !== '_global_' && !value.startsWith('_global_.')) value = value === '' ? '_global_' : `_global_.${value}`;
    this.packageHeader = value.replaceAll('_group_', this.getDefaultPackage());
  }

  getDefaultPackage(): string {
    return this.getGroupPath().replaceAll('/', '.');
  }

  getPackage(defaultToPackageHeader = true): string | undefined {
    return this.package === undefined && defaultToPackageHeader ? this.packageHeader : this.package;
  }

  getFinalPackage(defaultToPackageHeader = true): string {
    let pkg = this.getPackage(defaultToPackageHeader);
    if (pkg === undefined) pkg = this.relativeGroupPath().replaceAll('/', '.');
    const name = this.getName();
    if (typeof name === 'string' && pkg.includes('_name_')) pkg = pkg.replaceAll('_name_', name);
    const parent = this.parentPackage ?? '';
    const joined = parent === '' ? pkg : pkg === '' ? parent : `${parent}.${pkg}`;
    const globalAt = joined.lastIndexOf('_global_');
    return globalAt === -1 ? joined : joined.slice(globalAt + '_global_'.length + 1);
  }
}

/** `- group: option`, `- optional group@pkg: option`, `- override group: option`, `- group: [a, b]`. */
export class GroupDefault extends BaseDefault {
  group: string;
  value: string | string[] | null;
  optional: boolean;
  override: boolean;
  externalAppend: boolean;
  configNameOverridden = false;

  constructor(options: {
    group: string;
    value: string | string[] | null;
    package?: string | undefined;
    optional?: boolean;
    override?: boolean;
    externalAppend?: boolean;
    origin?: Origin | undefined;
  }) {
    super(options.package, options.origin);
    this.group = options.group;
    this.value = options.value;
    this.optional = options.optional ?? false;
    this.override = options.override ?? false;
    this.externalAppend = options.externalAppend ?? false;
  }

  override isOverride(): boolean {
    return this.override;
  }
  override isOptional(): boolean {
    return this.optional;
  }
  isOptions(): boolean {
    return Array.isArray(this.value);
  }
  override isInterpolation(): boolean {
    return typeof this.value === 'string' && this.value.includes('${');
  }
  override isMissing(): boolean {
    return this.value === '???';
  }

  getName(): string | null | undefined {
    return Array.isArray(this.value) ? undefined : this.value;
  }

  getGroupPath(): string {
    if (this.group.startsWith('/')) return this.group.slice(1);
    return this.parentBaseDir ? `${this.parentBaseDir}/${this.group}` : this.group;
  }

  getConfigPath(): string {
    return `${this.getGroupPath()}/${String(this.getName())}`;
  }

  protected relativeGroupPath(): string {
    return this.group.startsWith('/') ? this.group.slice(1) : this.group;
  }

  /**
   * The key CLI overrides use for this entry: `group`, or `group@pkg` when the package is not the
   * default, where the root package is spelled `_global_` (`db@_global_`), as in Hydra 1.3.
   */
  getOverrideKey(): string {
    const defaultPackage = this.getDefaultPackage();
    const finalPackage = this.getFinalPackage(false);
    const key = this.getGroupPath();
    return defaultPackage !== finalPackage ? `${key}@${finalPackage === '' ? '_global_' : finalPackage}` : key;
  }
}

/** `- some/config`, `- _self_`, or the primary config itself. */
export class ConfigDefault extends BaseDefault {
  path: string;

  constructor(path: string, pkg?: string, origin?: Origin) {
    super(pkg, origin);
    this.path = path;
  }

  override isSelf(): boolean {
    return this.path === '_self_';
  }

  getName(): string {
    const idx = this.path.lastIndexOf('/');
    return idx === -1 ? this.path : this.path.slice(idx + 1);
  }

  private stripped(): { path: string; absolute: boolean } {
    return this.path.startsWith('/') ? { path: this.path.slice(1), absolute: true } : { path: this.path, absolute: false };
  }

  getGroupPath(): string {
    const { path, absolute } = this.stripped();
    const idx = path.lastIndexOf('/');
    const group = idx === -1 ? '' : path.slice(0, idx);
    if (absolute || !this.parentBaseDir) return group;
    return group === '' ? this.parentBaseDir : `${this.parentBaseDir}/${group}`;
  }

  getConfigPath(): string {
    const { path, absolute } = this.stripped();
    return absolute || !this.parentBaseDir ? path : `${this.parentBaseDir}/${path}`;
  }

  protected relativeGroupPath(): string {
    const { path } = this.stripped();
    const idx = path.lastIndexOf('/');
    return idx === -1 ? '' : path.slice(0, idx);
  }
}

export type InputDefault = GroupDefault | ConfigDefault;

/** A node of the defaults tree: an entry and, once expanded, its own defaults in order. */
export interface DefaultsTreeNode {
  node: InputDefault;
  parent: DefaultsTreeNode | undefined;
  children: Array<DefaultsTreeNode | InputDefault> | undefined;
}

/** One config to merge, in order: the result of flattening the defaults tree. */
export interface ResultDefault {
  configPath: string;
  /** Dotted key the config is placed under ('' for the root). */
  package: string;
  isSelf: boolean;
  primary: boolean;
  /** The config whose defaults list brought this one in. */
  parent: string | undefined;
  overrideKey: string | undefined;
}
