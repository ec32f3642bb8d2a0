import type { SimpleGit } from 'simple-git';
import { redactStrings, redactText, redactUrl } from './secrets.js';

/** Diffs above this size are cut (at a line end) and flagged; a run directory is not a backup. */
const MAX_DIFF_BYTES = 5 * 1024 * 1024;
/** Untracked entries above this count are cut and flagged (a forgotten `outputs/` is one entry). */
const MAX_UNTRACKED = 1000;

export type GitSnapshot =
  | { available: false; reason: string }
  | {
      available: true;
      /** The work tree's top level; `untracked` and the diff's paths are relative to it. */
      root: string;
      /** null in a repository without commits. */
      commit: string | null;
      /** null on a detached HEAD. */
      branch: string | null;
      /** The URL of `origin` (else the first remote) without credentials; null when there is none. */
      remote: string | null;
      /** Tracked files differ from HEAD (staged or not); untracked files are listed apart. */
      dirty: boolean;
      untracked: string[];
      untrackedTruncated: boolean;
      /** `git diff HEAD --binary`: staged + unstaged, binary files as base85 text, so `git apply` restores them. */
      diff: string;
      /** The size of the whole diff in bytes, also when `diff` was cut. */
      diffBytes: number;
      diffTruncated: boolean;
    };

export interface GitSnapshotOptions {
  maxDiffBytes?: number;
  /** Per git command (default 10 s). */
  timeoutMs?: number;
}

/**
 * Records the code a run ran (`git.json`, `git.diff`). Never throws: outside a work tree,
 * without git or when git fails, the answer is `{ available: false, reason }`. Known secret
 * values are removed from every field, the diff included.
 */
export async function captureGit(cwd: string, secretValues: Iterable<string> = [], options: GitSnapshotOptions = {}): Promise<GitSnapshot> {
  const secrets = [...secretValues];
  try {
    // Lazy: simple-git is only needed when a run starts, never for `compose` or `--help`.
    const { simpleGit } = await import('simple-git');
    // onClose only: by default simple-git also races a 50 ms timer after 'exit'.
    const git = simpleGit({ baseDir: cwd, timeout: { block: options.timeoutMs ?? 10_000 }, completion: { onClose: true, onExit: false } });
    // Three git processes at once, each sure to print something: simple-git waits another 50 ms
    // after any command that printed nothing (`git remote -v` without remotes, a clean `git status`).
    let topLevel: string, status: string, config: string;
    try {
      [topLevel, status, config] = await Promise.all([
        git.raw(['rev-parse', '--show-toplevel']),
        git.raw(['status', '--porcelain=v2', '--branch', '-z', '--untracked-files=normal']),
        git.raw(['config', '--list', '-z']),
      ]);
    } catch (e) {
      if (/not a git repository|must be run in a work tree/i.test(e instanceof Error ? e.message : String(e)))
        return { available: false, reason: `${cwd} is not inside a git work tree` };
      throw e;
    }
    const { commit, branch, dirty, untracked } = parseStatus(status);
    const remote = pickRemote(config);
    // A clean tree has nothing to diff (without commits, nothing is tracked until it is staged).
    const fullDiff = dirty ? await readDiff(git, commit !== null) : '';
    const { text: diff, bytes: diffBytes, truncated: diffTruncated } = capText(fullDiff, options.maxDiffBytes ?? MAX_DIFF_BYTES);
    const snapshot: GitSnapshot = {
      available: true,
      root: topLevel.trim(),
      commit,
      branch,
      remote: remote === null ? null : redactUrl(remote),
      dirty,
      untracked: untracked.slice(0, MAX_UNTRACKED),
      untrackedTruncated: untracked.length > MAX_UNTRACKED,
      diff,
      diffBytes,
      diffTruncated,
    };
    return secrets.length ? redactStrings(snapshot, (text) => redactText(text, secrets)) : snapshot;
  } catch (e) {
    return { available: false, reason: redactText(describeFailure(e), secrets) };
  }
}

const DIFF_FLAGS = ['--binary', '--no-color', '--no-ext-diff', '--no-textconv'];

async function readDiff(git: SimpleGit, hasHead: boolean): Promise<string> {
  if (hasHead) return git.raw(['diff', 'HEAD', ...DIFF_FLAGS]);
  // No commit yet: HEAD cannot be named, so staged (against the empty index) + unstaged.
  const [staged, unstaged] = await Promise.all([git.raw(['diff', '--cached', ...DIFF_FLAGS]), git.raw(['diff', ...DIFF_FLAGS])]);
  return staged + unstaged;
}

/** `git config --list -z` (`key\nvalue\0`…): the URL of origin, else of the first remote. */
export function pickRemote(config: string): string | null {
  const urls = new Map<string, string>();
  for (const entry of config.split('\0')) {
    const newline = entry.indexOf('\n');
    const match = /^remote\.(.+)\.url$/.exec(newline < 0 ? entry : entry.slice(0, newline));
    if (match && newline >= 0 && !urls.has(match[1]!)) urls.set(match[1]!, entry.slice(newline + 1));
  }
  return urls.get('origin') ?? urls.values().next().value ?? null;
}

export interface GitStatus {
  /** null in a repository without commits. */
  commit: string | null;
  /** null on a detached HEAD. */
  branch: string | null;
  /** Tracked files changed, staged or not. */
  dirty: boolean;
  untracked: string[];
}

/**
 * `git status --porcelain=v2 --branch -z`: `# branch.oid X` and `# branch.head Y` headers, then
 * `1 …`/`2 …`/`u …` for changed tracked files (a rename `2` entry is followed by its original
 * path) and `? path` for untracked ones.
 */
export function parseStatus(text: string): GitStatus {
  const fields = text.split('\0');
  const out: GitStatus = { commit: null, branch: null, dirty: false, untracked: [] };
  for (let i = 0; i < fields.length; i++) {
    const entry = fields[i] as string;
    if (entry.startsWith('# branch.oid ')) {
      const oid = entry.slice('# branch.oid '.length);
      out.commit = oid === '(initial)' ? null : oid;
    } else if (entry.startsWith('# branch.head ')) {
      const head = entry.slice('# branch.head '.length);
      out.branch = head === '(detached)' ? null : head;
    } else if (entry.startsWith('? ')) out.untracked.push(entry.slice(2));
    else if (entry.startsWith('1 ') || entry.startsWith('u ')) out.dirty = true;
    else if (entry.startsWith('2 ')) {
      out.dirty = true;
      i++; // skip the original path
    }
  }
  return out;
}

/** Cuts `text` to at most `maxBytes` UTF-8 bytes, at the last line end, so no line is half kept. */
export function capText(text: string, maxBytes: number): { text: string; bytes: number; truncated: boolean } {
  const bytes = Buffer.byteLength(text);
  if (bytes <= maxBytes) return { text, bytes, truncated: false };
  const head = Buffer.from(text).subarray(0, maxBytes);
  const cut = head.lastIndexOf(0x0a);
  return { text: head.subarray(0, cut + 1).toString('utf8'), bytes, truncated: true };
}

function describeFailure(e: unknown): string {
  const message = e instanceof Error ? e.message : String(e);
  if (/ENOENT|not found|spawn/i.test(message)) return `git is not available: ${message.trim()}`;
  return `git failed: ${message.trim()}`;
}
