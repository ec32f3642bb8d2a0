import type { SimpleGit } from 'simple-git';
import { redactStrings, redactText, redactUrl } from './secrets.js';

/** Diffs above this size are cut (at a line end) and flagged; a run directory is not a backup. */
export const MAX_DIFF_BYTES = 5 * 1024 * 1024;
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
export async function captureGit(
  cwd: string,
  secretValues: Iterable<string> = [],
  options: GitSnapshotOptions = {},
): Promise<GitSnapshot> {
  const secrets = [...secretValues];
  try {
    // Lazy: simple-git is only needed when a run starts, never for `compose` or `--help`.
    const { simpleGit } = await import('simple-git');
    // onExit: false — by default simple-git waits 50 ms after a git that printed nothing.
    const git = simpleGit({ baseDir: cwd, timeout: { block: options.timeoutMs ?? 10_000 }, completion: { onClose: true, onExit: false } });
    if (!(await git.checkIsRepo())) return { available: false, reason: `${cwd} is not inside a git work tree` };
    const [root, commit, branch, remote, status] = await Promise.all([
      git.revparse(['--show-toplevel']),
      git.raw(['rev-parse', '--verify', '--quiet', 'HEAD']).then(orNull, () => null),
      git.raw(['symbolic-ref', '--short', '--quiet', 'HEAD']).then(orNull, () => null),
      pickRemote(git),
      git.raw(['status', '--porcelain=v1', '-z', '--untracked-files=normal']),
    ]);
    const { dirty, untracked } = parseStatus(status);
    // A clean tree has nothing to diff: skip a git process (runs start faster).
    const fullDiff = dirty || commit === null ? await readDiff(git, commit !== null) : '';
    const { text: diff, bytes: diffBytes, truncated: diffTruncated } = capText(fullDiff, options.maxDiffBytes ?? MAX_DIFF_BYTES);
    const snapshot: GitSnapshot = {
      available: true,
      root: root.trim(),
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

async function pickRemote(git: SimpleGit): Promise<string | null> {
  const remotes = await git.getRemotes(true);
  const chosen = remotes.find((r) => r.name === 'origin') ?? remotes[0];
  return chosen ? chosen.refs.fetch || chosen.refs.push || null : null;
}

/** `git status --porcelain=v1 -z`: `XY path\0`, plus `orig\0` after a rename or copy. */
export function parseStatus(text: string): { dirty: boolean; untracked: string[] } {
  const fields = text.split('\0');
  const untracked: string[] = [];
  let dirty = false;
  for (let i = 0; i < fields.length; i++) {
    const entry = fields[i] as string;
    if (entry.length < 4) continue;
    const xy = entry.slice(0, 2);
    if (xy === '??') untracked.push(entry.slice(3));
    else dirty = true;
    if (xy[0] === 'R' || xy[0] === 'C') i++; // skip the original path
  }
  return { dirty, untracked };
}

/** Cuts `text` to at most `maxBytes` UTF-8 bytes, at the last line end, so no line is half kept. */
export function capText(text: string, maxBytes: number): { text: string; bytes: number; truncated: boolean } {
  const bytes = Buffer.byteLength(text);
  if (bytes <= maxBytes) return { text, bytes, truncated: false };
  const head = Buffer.from(text).subarray(0, maxBytes);
  const cut = head.lastIndexOf(0x0a);
  return { text: head.subarray(0, cut + 1).toString('utf8'), bytes, truncated: true };
}

function orNull(text: string): string | null {
  return text.trim() || null;
}

function describeFailure(e: unknown): string {
  const message = e instanceof Error ? e.message : String(e);
  if (/ENOENT|not found|spawn/i.test(message)) return `git is not available: ${message.trim()}`;
  return `git failed: ${message.trim()}`;
}
