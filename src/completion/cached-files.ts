import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync, type Stats } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { checkConfigPath } from '../sources/check-config-path.js';
import type { ConfigRepository } from '../sources/repository.js';
import { NeedsLoader, summarize, type ConfigFiles, type FileSummary } from './config-files.js';

const EXTENSIONS = ['.yaml', '.yml'];
const CACHE_VERSION = 1;
/** Files modified this recently are not cached: an edit in the same mtime tick would go unseen. */
const RACY_MS = 2000;

interface CacheFile {
  version: number;
  dir: string;
  files: Array<[string, { stamp: string; summary: FileSummary | null }]>;
}

const statOf = (path: string): Stats | undefined => statSync(path, { throwIfNoEntry: false });

/**
 * The per-user cache of file summaries for one config directory, so that a TAB needs no YAML
 * parser when no file changed. Entries are keyed by path, size and mtime; the directory
 * listings are always read afresh (they are cheap and change most).
 */
export function completionCacheFile(configDir: string, env: NodeJS.ProcessEnv): string {
  const base = env.XDG_CACHE_HOME || join(env.HOME || homedir(), '.cache');
  return join(base, 'trellis', `completion-${createHash('sha1').update(configDir).digest('hex').slice(0, 16)}.json`);
}

/**
 * ConfigFiles over a config directory on disk. `load` opens a repository (with the YAML parser)
 * when a summary is missing from the cache; until it is given, such a read throws NeedsLoader.
 */
export class CachedConfigFiles implements ConfigFiles {
  private readonly root: string;
  private readonly entries = new Map<string, { stamp: string; summary: FileSummary | null }>();
  private dirty = false;
  repository: ConfigRepository | undefined;

  constructor(
    configDir: string,
    cwd: string,
    private readonly cacheFile: string | undefined,
    private readonly now = Date.now(),
  ) {
    this.root = resolve(cwd, configDir);
    if (!cacheFile) return;
    try {
      const cached = JSON.parse(readFileSync(cacheFile, 'utf8')) as CacheFile;
      if (cached.version === CACHE_VERSION && cached.dir === this.root && Array.isArray(cached.files)) {
        for (const [path, entry] of cached.files) if (typeof path === 'string' && entry && typeof entry.stamp === 'string') this.entries.set(path, entry);
      }
    } catch {
      // No cache, or a damaged one: it is rebuilt.
    }
  }

  private list(group: string): Array<{ name: string; dir: boolean }> {
    if (group) checkConfigPath(group);
    try {
      return readdirSync(join(this.root, group), { withFileTypes: true }).flatMap((e): Array<{ name: string; dir: boolean }> => {
        if (e.isDirectory()) return [{ name: e.name, dir: true }];
        const ext = EXTENSIONS.find((x) => e.name.endsWith(x));
        return ext ? [{ name: e.name.slice(0, -ext.length), dir: false }] : [];
      });
    } catch {
      return [];
    }
  }

  private fileOf(path: string): { file: string; stat: Stats } | undefined {
    checkConfigPath(path);
    for (const ext of EXTENSIONS) {
      const file = join(this.root, path + ext);
      const stat = statOf(file);
      if (stat?.isFile()) return { file, stat };
    }
    return undefined;
  }

  groupExists(group: string): boolean {
    if (!group) return true;
    checkConfigPath(group);
    return Boolean(statOf(join(this.root, group))?.isDirectory());
  }

  listGroups(parent: string): string[] {
    return this.list(parent)
      .filter((e) => e.dir && !e.name.startsWith('.'))
      .map((e) => e.name)
      .sort();
  }

  listOptions(group: string): string[] {
    return [
      ...new Set(
        this.list(group)
          .filter((e) => !e.dir)
          .map((e) => e.name),
      ),
    ].sort();
  }

  configExists(path: string): boolean {
    return this.fileOf(path) !== undefined;
  }

  summary(path: string): FileSummary | undefined {
    const found = this.fileOf(path);
    if (!found) return undefined;
    const stamp = `${found.stat.size}:${found.stat.mtimeMs}`;
    const cached = this.entries.get(path);
    if (cached?.stamp === stamp) return cached.summary ?? undefined;
    if (!this.repository) throw new NeedsLoader(path);
    let summary: FileSummary | null = null;
    try {
      const loaded = this.repository.loadConfig(path);
      summary = loaded ? summarize(loaded) : null;
    } catch {
      // A broken file gives no candidates; its stamp is remembered so it is not parsed each TAB.
    }
    if (found.stat.mtimeMs < this.now - RACY_MS) {
      this.entries.set(path, { stamp, summary });
      this.dirty = true;
    }
    return summary ?? undefined;
  }

  /** Writes the cache when a summary was added (temp file + rename: a reader never sees half). */
  save(): void {
    if (!this.dirty || !this.cacheFile) return;
    try {
      const data: CacheFile = { version: CACHE_VERSION, dir: this.root, files: [...this.entries] };
      mkdirSync(join(this.cacheFile, '..'), { recursive: true });
      const temp = `${this.cacheFile}.${process.pid}.tmp`;
      writeFileSync(temp, JSON.stringify(data));
      renameSync(temp, this.cacheFile);
    } catch {
      // A cache that cannot be written only costs time.
    }
  }
}
