import { createHash } from 'node:crypto';
import { readdirSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { openStore, displayPath, type RunStore } from '../store/open-store.js';
import { isFinalStatus, type StoredRun } from '../store/stored-run.js';
import { RECORDS_DIR } from '../records/names.js';

/**
 * The run store as the UI reads it: opened again (through the index, as `trellis runs` does)
 * when older than `ttlMs`, so the UI holds nothing of its own that the run directories do not.
 * When nothing the last opening looked at has changed (a few stats), the store is kept instead,
 * with its runs' statuses taken again at the new time: opening 10,000 runs anew every second
 * made the server's memory grow.
 */
export class StoreView {
  private store: RunStore | undefined;
  private byKey = new Map<string, StoredRun>();
  private openedAt = 0;
  /** When a key the store did not know last made it open again (see run). */
  private forcedAt = -Infinity;
  private content = '';
  /** A run was running when last looked at: its status can change with no write (a stale heartbeat). */
  private live = false;
  /**
   * Bumped when the store, opened again, shows other runs, records or statuses: results
   * computed from it (a listing of 10,000 rows) stay valid as long as it stays.
   */
  generation = 0;

  constructor(
    readonly roots: readonly string[],
    readonly cwd: string,
    private readonly ttlMs = 1000,
    /** Called after a store of many runs was opened: the garbage of the last one is worth collecting. */
    private readonly afterLargeOpen: () => void = () => {},
  ) {}

  current(fresh = false): RunStore {
    const old = Date.now() - this.openedAt > this.ttlMs;
    if (!this.store || fresh || (old && !this.store.unchanged())) {
      this.store = openStore(this.roots, { cwd: this.cwd });
      this.store.flush();
      this.byKey = new Map(this.store.runs.map((r) => [displayPath(r.dir, this.cwd), r]));
      this.observe();
      if (this.store.runs.length >= LARGE_STORE_RUNS) this.afterLargeOpen();
    } else if (!old) return this.store;
    else if (this.live) {
      // Nothing written since: only a live run's status can have changed (its heartbeat gone stale).
      this.store.now = new Date();
      this.observe();
    }
    this.openedAt = Date.now();
    return this.store;
  }

  /** The store's content and liveness as of its `now`; a change bumps the generation. */
  private observe(): void {
    const { content, live } = contentOf(this.store!);
    if (content !== this.content) this.generation++;
    this.content = content;
    this.live = live;
  }

  /**
   * Opens the store again from the index it just wrote. Once a listing's rows hold what the
   * page shows, the records its runs parsed on the way (run.json, summaries, configs: 20 MB
   * for 10,000 runs) are let go; the new opening reads only the index's columns, in ~30 ms.
   */
  release(): void {
    if (!this.store) return;
    this.store = undefined;
    this.current();
  }

  /** Forget the open store (after a tag or note), so the next request reads the change. */
  invalidate(): void {
    this.store = undefined;
    this.content = '';
    this.generation++;
  }

  /**
   * A run of the store by its key (its directory relative to the working directory). A key the
   * store does not know opens it again, since the run may have started since (a page opened on
   * it); at most once per `ttlMs`, so a page polling a key that is nowhere (a stale link) does
   * not open 10,000 runs again with every request.
   */
  run(key: string): StoredRun | undefined {
    this.current();
    const known = this.byKey.get(key);
    if (known || Date.now() - this.forcedAt < this.ttlMs) return known;
    this.forcedAt = Date.now();
    this.current(true);
    return this.byKey.get(key);
  }

  /**
   * A run of the store as last opened, without opening it again: what one request looks up many
   * times (100 curves) comes from one opening.
   */
  known(key: string): StoredRun | undefined {
    return this.byKey.get(key);
  }

  /** The sweep directories the runs name, relative to the working directory. */
  sweeps(): string[] {
    const dirs = new Set<string>();
    for (const run of this.current().runs) {
      const sweep = run.info?.sweep?.dir;
      if (sweep) dirs.add(displayPath(sweep, this.cwd));
    }
    return [...dirs].sort();
  }
}

/** Runs from which opening a store again leaves garbage worth an idle collection (~1 MB per 1,000). */
const LARGE_STORE_RUNS = 1000;

export interface FileEntry {
  path: string;
  size: number;
}

/** The files a run keeps beside its records (artifacts, logs), at most `max`, records left out. */
export function listFiles(dir: string, max = 1000, depth = 4): FileEntry[] {
  const out: FileEntry[] = [];
  const walk = (d: string, level: number) => {
    let entries;
    try {
      entries = readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
      if (out.length >= max) return;
      if (e.name === RECORDS_DIR) continue;
      const path = join(d, e.name);
      if (e.isDirectory() && level < depth) walk(path, level + 1);
      else if (e.isFile()) out.push({ path: relative(dir, path).split(sep).join('/'), size: statSync(path, { throwIfNoEntry: false })?.size ?? 0 });
    }
  };
  walk(dir, 0);
  return out;
}

/**
 * What a listing is computed from: every run's directory and records' stamp, and the status
 * of those not finished (a heartbeat goes stale with time alone, not with a write); and
 * whether one of them is running.
 */
function contentOf(store: RunStore): { content: string; live: boolean } {
  const hash = createHash('sha256');
  let live = false;
  for (const run of store.runs) {
    hash.update(`${run.dir}\0${run.stamp ?? ''}\0`);
    const recorded = run.recordedStatus();
    if (recorded === null || !isFinalStatus(recorded)) {
      const status = run.status(store.now);
      if (status === 'running') live = true;
      hash.update(status);
    }
    hash.update('\n');
  }
  return { content: hash.digest('hex'), live };
}
