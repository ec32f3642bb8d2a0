import { existsSync, readdirSync, statSync, type Stats } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { RECORDS_DIR, SWEEP_FILES, recordPath } from '../records/names.js';
import { TrellisError } from '../errors/index.js';
import { childRel, removeShardsBut, RootIndex, type IndexedDir } from './index-cache.js';
import { CHANGED, readRunState, StoredRun } from './stored-run.js';
import { checkArgs } from '../errors/check-args.js';

/** The roots `trellis runs` reads when none are given, relative to the working directory. */
export const DEFAULT_ROOTS = ['outputs', 'multirun'] as const;

export interface OpenStoreOptions {
  /** Where relative roots are resolved (default: process.cwd()). */
  cwd?: string;
  /** Use and refresh the index (`.trellis-index/`) in each root (default true). */
  index?: boolean;
  /** Check every run against its records, also the finished ones an index takes on trust. */
  refresh?: boolean;
  /** "Now" for crashed-run detection; tests inject it. */
  now?: Date;
}

export interface RunStore {
  /** The roots read (absolute); roots that do not exist are left out. */
  roots: string[];
  runs: StoredRun[];
  now: Date;
  /** Writes the index of each root whose runs were read more of (no-op without an index). */
  flush(): void;
  /**
   * True when opening the store again now would find the same runs with the same records:
   * every directory and records directory this opening looked at is as it was, and none had
   * changed too recently to tell a second change apart. A few stats where opening again
   * builds every run anew (the UI asks every second).
   */
  unchanged(): boolean;
}

/** Directories never walked into: records, VCS and package folders, anything hidden. */
function skipped(name: string): boolean {
  return name.startsWith('.') || name === 'node_modules' || name === '__pycache__';
}

const MAX_DEPTH = 12;
/** Entries modified this recently are not cached: a write in the same mtime tick would go unseen. */
const RACY_MS = 2000;

const statOf = (path: string): Stats | undefined => statSync(path, { throwIfNoEntry: false });
const stampOf = (s: Stats) => `${s.ino}:${s.mtimeMs}`;
const lookStamp = (s: Stats | undefined) => (s ? `${stampOf(s)}:${s.isDirectory() ? 'd' : 'f'}` : '-');

/**
 * What a scan found under one shard of a root's index: the root's own directory and the runs
 * directly in it (shard ''), or one directory at the top of the root and everything under it.
 * Each shard is written alone, so a new run rewrites the index of its top directory (a day of
 * outputs/, a day of sweeps), not of the whole store.
 */
interface ShardScan {
  index: RootIndex;
  /** The runs found under it, in the order of the walk. */
  runs: StoredRun[];
  dirs: Map<string, IndexedDir>;
  sweeps: Map<string, string>;
  /** Runs taken from its index as they were. */
  kept: number;
  /** What the scan found differs from the index (beyond records read anew). */
  dirty: boolean;
}

interface RootScan {
  root: string;
  /** Every run found, in the order of the walk. */
  runs: StoredRun[];
  shards: Map<string, ShardScan>;
  /** Each path the walk stat'ed and what it found: what `unchanged()` checks again. */
  looked: Array<[path: string, stamp: string]>;
  /** Something looked at had changed too recently for its mtime to show a second change. */
  recent: boolean;
}

function scanRoot(root: string, useIndex: boolean, refresh: boolean, startedAt: number): RootScan {
  const scan: RootScan = { root, runs: [], shards: new Map(), looked: [], recent: false };
  const shardOf = (name: string): ShardScan => {
    let shard = scan.shards.get(name);
    if (!shard)
      scan.shards.set(name, (shard = { index: new RootIndex(root, useIndex, name), runs: [], dirs: new Map(), sweeps: new Map(), kept: 0, dirty: false }));
    return shard;
  };
  const racy = (mtime: number) => mtime >= startedAt - RACY_MS;
  const look = (path: string): Stats | undefined => {
    const st = statOf(path);
    scan.looked.push([path, lookStamp(st)]);
    if (st && racy(st.mtimeMs)) scan.recent = true;
    return st;
  };
  const found = (shard: ShardScan, run: StoredRun) => {
    shard.runs.push(run);
    scan.runs.push(run);
  };
  const keep = (shard: ShardScan, dir: string, rel: string, row: number) => {
    found(shard, new StoredRun(dir, root, rel, undefined, null, shard.index, row));
    shard.kept++;
  };

  /** True when `dir` is a run (listed, not walked into); `row` is its row in the shard's index, or -1. */
  const visitRecords = (shard: ShardScan, dir: string, rel: string, row: number): boolean => {
    const { index } = shard;
    const trellis = look(join(dir, RECORDS_DIR));
    if (!trellis?.isDirectory()) return false;
    const stamp = stampOf(trellis);
    if (row >= 0 && index.stamp(row) === stamp) {
      keep(shard, dir, rel, row);
      return true;
    }
    if (index.sweeps.get(rel) === stamp) {
      shard.sweeps.set(rel, stamp);
      return false;
    }
    shard.dirty = true;
    const state = readRunState(dir);
    if (!state.info && state.problem === 'run.json missing' && existsSync(recordPath(dir, SWEEP_FILES.sweep))) {
      if (!racy(trellis.mtimeMs)) shard.sweeps.set(rel, stamp);
      return false;
    }
    const run = new StoredRun(dir, root, rel, state, racy(trellis.mtimeMs) ? undefined : stamp, index);
    run.changed |= CHANGED.run;
    found(shard, run);
    return true;
  };

  /** `shard` holds `dir` when it is a run; a directory at the top of the root is a shard of its own. */
  const walk = (shard: ShardScan, dir: string, rel: string, depth: number, row: number): void => {
    // A run seen last time: one stat of its records directory says whether it is still one.
    if (row >= 0 && visitRecords(shard, dir, rel, row)) return;
    const dirShard = depth === 1 ? shardOf(rel) : shard;
    const { index } = dirShard;
    // A directory the index does not know: one stat of its records directory finds a run (most
    // directories of a store) without listing the run's files.
    const unknown = row < 0 && !index.dirs.has(rel);
    if (unknown && visitRecords(shard, dir, rel, -1)) return;
    const st = look(dir);
    if (!st?.isDirectory()) return;
    const cachedDir = index.dirs.get(rel);
    const unchanged = cachedDir !== undefined && cachedDir.mtime === st.mtimeMs;
    let children: string[];
    let records: boolean;
    if (unchanged) {
      ({ children, records } = cachedDir);
      dirShard.dirs.set(rel, cachedDir);
    } else {
      let entries;
      try {
        entries = readdirSync(dir, { withFileTypes: true });
      } catch {
        return;
      }
      children = entries
        .filter((e) => e.isDirectory() && !skipped(e.name))
        .map((e) => e.name)
        .sort();
      records = entries.some((e) => e.name === RECORDS_DIR && e.isDirectory());
      if (!racy(st.mtimeMs)) {
        dirShard.dirs.set(rel, { mtime: st.mtimeMs, children, records });
        // Written down even when only the mtime changed, so the finished runs in it are trusted again.
        dirShard.dirty = true;
      } else if (cachedDir) {
        // Too recent to write down: the index keeps what it had (runs found in it are written anyway).
        dirShard.dirs.set(rel, cachedDir);
      }
    }
    if (records && row < 0 && !unknown && visitRecords(shard, dir, rel, -1)) {
      dirShard.dirs.delete(rel); // runs are keyed by their records, not walked
      return;
    }
    if (depth >= MAX_DEPTH) return;
    // Unchanged since the index was written, the directory's entry has the rows of the runs in
    // it, and a finished run needs no stat (index-cache.ts).
    const rows = unchanged ? cachedDir.rows : undefined;
    children.forEach((name, i) => {
      const childDir = dir.endsWith(sep) ? dir + name : dir + sep + name; // join() without normalising again
      const childPath = childRel(rel, name);
      const childRow = rows ? rows[i]! : index.runRow(childPath);
      if (rows && !refresh && childRow >= 0 && index.finished(childRow)) keep(dirShard, childDir, childPath, childRow);
      else walk(dirShard, childDir, childPath, depth + 1, childRow);
    });
  };

  const top = shardOf('');
  // The root is a run only when the index has no directory entry for it.
  walk(top, root, '', 0, top.index.dirs.has('') ? -1 : top.index.runRow(''));
  // A run, sweep or directory gone since the index was written.
  for (const shard of scan.shards.values()) {
    const { index } = shard;
    if (shard.kept !== index.runCount || shard.sweeps.size !== index.sweeps.size || shard.dirs.size !== index.dirs.size) shard.dirty = true;
  }
  return scan;
}

/** Writes what was read anew into the index of each shard of the root that changed. */
function flushScan(scan: RootScan): void {
  const top = scan.shards.get('');
  const topChanged = top?.dirty ?? false;
  for (const shard of scan.shards.values()) {
    const changed = (part: number) => shard.runs.some((r) => r.changed & part);
    if (shard.dirty || changed(CHANGED.run)) shard.index.saveRuns(shard.dirs, shard.sweeps, shard.runs);
    if (changed(CHANGED.summary)) shard.index.saveSummaries(shard.runs);
    if (changed(CHANGED.config)) shard.index.saveConfigs(shard.runs);
    for (const run of shard.runs) run.changed = 0;
    shard.dirty = false;
  }
  // The root's own shard lists what is at the top: the shards of directories gone since go too.
  const rootDir = top?.dirs.get('');
  if (topChanged && rootDir) removeShardsBut(scan.root, new Set(rootDir.children));
}

/**
 * Finds every run directory under `roots` (default `outputs/` and `multirun/`). A directory is a
 * run when it holds `.trellis/run.json`; a directory with `.trellis/` but no readable run.json
 * is listed as unreadable, never skipped silently (a sweep directory, with sweep.json, is walked
 * into instead). With the index on, each root keeps `.trellis-index/`: what was read from
 * each run, keyed by the mtime of its records directory (a finished run's, by its parent's; see
 * index-cache.ts), so a second listing reads only what changed. Deleting the index loses nothing.
 */
export function openStore(roots: readonly string[] = [], options: OpenStoreOptions = {}): RunStore {
  checkArgs('openStore', [
    ['roots', roots, 'strings'],
    ['options', options, 'object', { cwd: 'string?', index: 'boolean?', now: 'date?' }],
  ]);
  const cwd = options.cwd ?? process.cwd();
  const explicit = roots.length > 0;
  const wanted = (explicit ? roots : DEFAULT_ROOTS).map((r) => resolve(cwd, r));
  const missing = wanted.filter((r) => !statOf(r)?.isDirectory());
  if (explicit && missing.length) {
    throw new TrellisError('RUN_NOT_FOUND', `No such directory: ${missing.map((m) => relative(cwd, m) || '.').join(', ')}`, {
      hint: 'give directories that hold run directories, e.g. outputs/ or multirun/',
    });
  }
  const useIndex = options.index ?? true;
  const startedAt = Date.now();
  const scans = wanted.filter((r) => !missing.includes(r)).map((r) => scanRoot(r, useIndex, options.refresh ?? false, startedAt));
  // Roots may overlap (outputs and outputs/2026-11-23): a run is listed once.
  const overlap = scans.some((a) => scans.some((b) => a !== b && (a.root === b.root || a.root.startsWith(b.root.endsWith(sep) ? b.root : b.root + sep))));
  const seen = new Set<string>();
  const runs: StoredRun[] = [];
  for (const scan of scans) {
    for (const run of scan.runs) {
      if (overlap) {
        if (seen.has(run.dir)) continue;
        seen.add(run.dir);
      }
      runs.push(run);
    }
  }
  return {
    roots: scans.map((s) => s.root),
    runs,
    now: options.now ?? new Date(),
    flush() {
      if (useIndex) for (const scan of scans) flushScan(scan);
    },
    unchanged() {
      if (missing.some((r) => statOf(r)?.isDirectory())) return false;
      return scans.every((scan) => !scan.recent && scan.looked.every(([path, stamp]) => lookStamp(statOf(path)) === stamp));
    },
  };
}

export function displayPath(dir: string, cwd: string): string {
  const rel = relative(cwd, dir);
  return rel === '' ? '.' : rel.startsWith(`..${sep}`) || rel === '..' ? dir : rel;
}
