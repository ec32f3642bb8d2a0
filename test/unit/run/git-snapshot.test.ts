import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { captureGit, capText, parseStatus, pickRemote, type GitSnapshot } from '../../../src/run/git-snapshot.js';
import { tmpDir } from '../../helpers/tmp-dir.js';

/** git with the caller's GIT_* variables removed, so the test repo is the only repo in play. */
function git(cwd: string, ...args: string[]): string {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('GIT_')));
  return execFileSync('git', args, { cwd, env, encoding: 'utf8' });
}

/** A repo with one commit of `files`, a local identity and no hooks or signing from the machine. */
function makeRepo(files: Record<string, string | Buffer> = { 'train.py': 'lr = 0.1\n' }): string {
  const dir = tmpDir();
  git(dir, 'init', '-q', '-b', 'main');
  git(dir, 'config', 'user.name', 'Test User');
  git(dir, 'config', 'user.email', 'test@example.com');
  git(dir, 'config', 'commit.gpgsign', 'false');
  git(dir, 'config', 'core.hooksPath', join(dir, '.git', 'no-hooks'));
  if (Object.keys(files).length) {
    for (const [path, content] of Object.entries(files)) writeFileSync(join(dir, path), content);
    git(dir, 'add', '-A');
    git(dir, 'commit', '-q', '-m', 'initial');
  }
  return dir;
}

function available(snap: GitSnapshot): Extract<GitSnapshot, { available: true }> {
  if (!snap.available) throw new Error(`expected a repository: ${snap.reason}`);
  return snap;
}

describe('captureGit in a repository', () => {
  it.each([
    { name: 'a clean work tree', change: (_dir: string) => undefined, dirty: false, untracked: [] as string[], diffHas: [] as string[] },
    {
      name: 'a modified file and an untracked one',
      change: (dir: string) => {
        writeFileSync(join(dir, 'train.py'), 'lr = 0.2\n');
        writeFileSync(join(dir, 'notes.txt'), 'scratch');
      },
      dirty: true,
      untracked: ['notes.txt'],
      diffHas: ['-lr = 0.1', '+lr = 0.2'],
    },
    {
      name: 'a staged new file (staged and unstaged both count)',
      change: (dir: string) => {
        writeFileSync(join(dir, 'model.py'), 'layers = 3\n');
        git(dir, 'add', 'model.py');
      },
      dirty: true,
      untracked: [],
      diffHas: ['+++ b/model.py', '+layers = 3'],
    },
    {
      name: 'only untracked files: listed, not dirty',
      change: (dir: string) => {
        mkdirSync(join(dir, 'outputs', 'a'), { recursive: true });
        writeFileSync(join(dir, 'outputs', 'a', 'x.log'), '');
        writeFileSync(join(dir, 'b c.txt'), '');
      },
      dirty: false,
      untracked: ['b c.txt', 'outputs/'],
      diffHas: [],
    },
  ])('$name', async ({ change, dirty, untracked, diffHas }) => {
    const dir = makeRepo();
    change(dir);
    const snap = available(await captureGit(dir));
    expect(snap.commit).toBe(git(dir, 'rev-parse', 'HEAD').trim());
    expect(snap.branch).toBe('main');
    expect(snap.remote).toBeNull();
    expect(snap.dirty).toBe(dirty);
    expect(snap.untracked.sort()).toEqual(untracked);
    for (const line of diffHas) expect(snap.diff).toContain(line);
    if (!dirty) expect(snap.diff).toBe('');
    expect(snap.diffBytes).toBe(Buffer.byteLength(snap.diff));
    expect(snap.diffTruncated).toBe(false);
  });

  it('records a diff that restores the work tree, binary files included, from a subdirectory', async () => {
    const dir = makeRepo({ 'train.py': 'lr = 0.1\n', 'weights.bin': randomBytes(512) });
    mkdirSync(join(dir, 'sub'));
    const binary = randomBytes(700);
    writeFileSync(join(dir, 'train.py'), 'lr = 0.3\n');
    writeFileSync(join(dir, 'weights.bin'), binary);
    const snap = available(await captureGit(join(dir, 'sub')));
    expect(snap.root).toBe(dir);
    expect(snap.diff).toContain('GIT binary patch');

    const copy = tmpDir();
    git(copy, 'clone', '-q', dir, 'clone');
    const clone = join(copy, 'clone');
    writeFileSync(join(copy, 'git.diff'), snap.diff);
    git(clone, 'apply', join(copy, 'git.diff'));
    expect(readFileSync(join(clone, 'train.py'), 'utf8')).toBe('lr = 0.3\n');
    expect(readFileSync(join(clone, 'weights.bin')).equals(binary)).toBe(true);
  });

  it.each([
    {
      name: 'a remote with credentials is recorded without them',
      setup: (dir: string) => git(dir, 'remote', 'add', 'origin', 'https://bob:ghp_secret123@github.com/org/exp.git'),
      expected: { remote: 'https://***@github.com/org/exp.git', branch: 'main' as string | null },
    },
    {
      name: 'origin is preferred over other remotes',
      setup: (dir: string) => {
        git(dir, 'remote', 'add', 'aaa', 'https://example.org/fork.git');
        git(dir, 'remote', 'add', 'origin', 'git@github.com:org/exp.git');
      },
      expected: { remote: 'git@github.com:org/exp.git', branch: 'main' },
    },
    {
      name: 'a detached HEAD has no branch',
      setup: (dir: string) => git(dir, 'checkout', '-q', '--detach'),
      expected: { remote: null, branch: null },
    },
  ])('$name', async ({ setup, expected }) => {
    const dir = makeRepo();
    setup(dir);
    const snap = available(await captureGit(dir));
    expect({ remote: snap.remote, branch: snap.branch }).toEqual(expected);
  });

  it('handles a repository without commits', async () => {
    const dir = makeRepo({});
    writeFileSync(join(dir, 'staged.py'), 'x = 1\n');
    git(dir, 'add', 'staged.py');
    writeFileSync(join(dir, 'loose.py'), '');
    const snap = available(await captureGit(dir));
    expect(snap).toMatchObject({ commit: null, branch: 'main', dirty: true, untracked: ['loose.py'] });
    expect(snap.diff).toContain('+x = 1');
  });

  it('removes secret values from the diff and every other field', async () => {
    const dir = makeRepo();
    writeFileSync(join(dir, 'train.py'), 'api_key = "sk-live-abcdef123"\n');
    writeFileSync(join(dir, 'sk-live-abcdef123.txt'), '');
    const snap = available(await captureGit(dir, ['sk-live-abcdef123']));
    expect(snap.diff).toContain('+api_key = "***"');
    expect(snap.untracked).toEqual(['***.txt']);
    expect(JSON.stringify(snap)).not.toContain('sk-live-abcdef123');
  });

  it('cuts a large diff at a line end and says so', async () => {
    const dir = makeRepo();
    writeFileSync(join(dir, 'train.py'), Array.from({ length: 2000 }, (_, i) => `line ${i}\n`).join(''));
    const snap = available(await captureGit(dir, [], { maxDiffBytes: 1000 }));
    expect(snap.diffTruncated).toBe(true);
    expect(Buffer.byteLength(snap.diff)).toBeLessThanOrEqual(1000);
    expect(snap.diff.endsWith('\n')).toBe(true);
    expect(snap.diffBytes).toBeGreaterThan(2000 * 7);
  });
});

describe('captureGit outside a repository', () => {
  it.each([
    { name: 'a plain directory', cwd: () => tmpDir(), reason: /not inside a git work tree/ },
    { name: 'a missing directory', cwd: () => join(tmpDir(), 'missing'), reason: /git failed|not available|not inside/ },
    { name: 'the .git directory itself', cwd: () => join(makeRepo(), '.git'), reason: /not inside a git work tree/ },
  ])('$name: available false, never a throw', async ({ cwd, reason }) => {
    const snap = await captureGit(cwd());
    expect(snap.available).toBe(false);
    expect(!snap.available && snap.reason).toMatch(reason);
  });
});

describe('parseStatus (porcelain v2)', () => {
  const head = '# branch.oid 0123abc\0# branch.head main\0';
  const clean = { commit: '0123abc', branch: 'main', dirty: false, untracked: [] as string[] };
  it.each([
    { name: 'a clean tree', text: head, expected: clean },
    {
      name: 'modified and untracked',
      text: `${head}1 .M N... 100644 100644 100644 aaa bbb a.ts\0? b.ts\0`,
      expected: { ...clean, dirty: true, untracked: ['b.ts'] },
    },
    {
      name: 'a rename carries the old path',
      text: `${head}2 R. N... 100644 100644 100644 aaa bbb R100 new.ts\0old.ts\0? x y.ts\0`,
      expected: { ...clean, dirty: true, untracked: ['x y.ts'] },
    },
    { name: 'an unmerged file', text: `${head}u UU N... 100644 100644 100644 100644 aaa bbb ccc c.ts\0`, expected: { ...clean, dirty: true } },
    { name: 'only untracked', text: `${head}? dir/\0`, expected: { ...clean, untracked: ['dir/'] } },
    { name: 'no commit yet', text: '# branch.oid (initial)\0# branch.head main\0', expected: { ...clean, commit: null } },
    { name: 'a detached HEAD', text: '# branch.oid 0123abc\0# branch.head (detached)\0', expected: { ...clean, branch: null } },
  ])('$name', ({ text, expected }) => {
    expect(parseStatus(text)).toEqual(expected);
  });
});

describe('pickRemote', () => {
  it.each([
    { name: 'no remote', config: 'core.bare\nfalse\0user.name\nA\0', expected: null },
    {
      name: 'origin first',
      config: 'remote.aaa.url\nhttps://example.org/a.git\0remote.origin.url\ngit@example.org:o.git\0',
      expected: 'git@example.org:o.git',
    },
    {
      name: 'else the first remote',
      config: 'remote.up.stream.url\nhttps://example.org/u.git\0remote.b.url\nhttps://example.org/b.git\0',
      expected: 'https://example.org/u.git',
    },
    {
      name: 'a fetch URL only, not a push URL',
      config: 'remote.origin.pushurl\nssh://push\0remote.origin.url\nhttps://example.org/f.git\0',
      expected: 'https://example.org/f.git',
    },
  ])('$name', ({ config, expected }) => {
    expect(pickRemote(config)).toBe(expected);
  });
});

describe('capText', () => {
  it.each([
    { name: 'under the cap', text: 'a\nb\n', max: 10, expected: { text: 'a\nb\n', bytes: 4, truncated: false } },
    { name: 'cut at the last line end', text: 'aa\nbb\ncc\n', max: 7, expected: { text: 'aa\nbb\n', bytes: 9, truncated: true } },
    { name: 'multi-byte text is never split', text: 'é\néé\n', max: 4, expected: { text: 'é\n', bytes: 8, truncated: true } },
  ])('$name', ({ text, max, expected }) => {
    expect(capText(text, max)).toEqual(expected);
  });
});
