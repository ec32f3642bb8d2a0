import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CachedConfigFiles, completionCacheFile } from '../../../src/completion/cached-files.js';
import { NeedsLoader } from '../../../src/completion/config-files.js';
import { createFsRepository } from '../../../src/sources/fs-repository.js';
import { tmpDir } from '../../helpers/tmp-dir.js';

const LATER = Date.now() + 60_000;

function project() {
  const dir = tmpDir({ 'conf/config.yaml': 'defaults:\n  - db: a\n\nseed: 1\n', 'conf/db/a.yaml': 'port: 1\n', 'conf/db/b.yml': 'port: 2\n' });
  return { dir, cache: join(dir, 'cache', 'c.json') };
}

describe('CachedConfigFiles', () => {
  it('lists groups and options without parsing any file', () => {
    const { dir, cache } = project();
    const files = new CachedConfigFiles('conf', dir, cache);
    expect(files.listGroups('')).toEqual(['db']);
    expect(files.listOptions('db')).toEqual(['a', 'b']);
    expect(files.listOptions('')).toEqual(['config']);
    expect(files.groupExists('db')).toBe(true);
    expect(files.groupExists('nope')).toBe(false);
    expect(files.configExists('db/b')).toBe(true);
    expect(() => files.listOptions('../x')).toThrow(/leave the config search path/);
  });

  it('asks for the YAML loader on a miss, then answers from the cache', () => {
    const { dir, cache } = project();
    const first = new CachedConfigFiles('conf', dir, cache, LATER);
    expect(() => first.summary('db/a')).toThrow(NeedsLoader);
    first.repository = createFsRepository(['conf'], dir);
    expect(first.summary('db/a')).toEqual({ tree: { d: [['port', { v: '1' }]] }, defaults: [], header: null });
    first.save();
    const second = new CachedConfigFiles('conf', dir, cache, LATER);
    expect(second.summary('db/a')?.tree).toEqual({ d: [['port', { v: '1' }]] });
    // config.yaml was never read: it is not in the cache.
    expect(() => second.summary('config')).toThrow(NeedsLoader);
  });

  it('a changed file is read again', () => {
    const { dir, cache } = project();
    const first = new CachedConfigFiles('conf', dir, cache, LATER);
    first.repository = createFsRepository(['conf'], dir);
    first.summary('db/a');
    first.save();
    writeFileSync(join(dir, 'conf', 'db', 'a.yaml'), 'port: 1000\n');
    const second = new CachedConfigFiles('conf', dir, cache, LATER);
    expect(() => second.summary('db/a')).toThrow(NeedsLoader);
  });

  it('never caches a file modified in the last two seconds (an edit in the same mtime tick)', () => {
    const { dir, cache } = project();
    const files = new CachedConfigFiles('conf', dir, cache);
    files.repository = createFsRepository(['conf'], dir);
    expect(files.summary('db/a')).toBeDefined();
    files.save();
    expect(existsSync(cache)).toBe(false);
  });

  it('a damaged cache file is ignored and rewritten', () => {
    const { dir, cache } = project();
    const first = new CachedConfigFiles('conf', dir, cache, LATER);
    first.repository = createFsRepository(['conf'], dir);
    first.summary('db/a');
    first.save();
    writeFileSync(cache, '{"version": 1, "files": [["db/a", null]');
    const second = new CachedConfigFiles('conf', dir, cache, LATER);
    expect(() => second.summary('db/a')).toThrow(NeedsLoader);
  });

  it('keeps one cache file per config directory', () => {
    expect(completionCacheFile('/a\0conf', { HOME: '/h' })).toMatch(/^\/h\/\.cache\/trellis\/completion-[0-9a-f]{16}\.json$/);
    expect(completionCacheFile('/a\0conf', { HOME: '/h' })).not.toBe(completionCacheFile('/b\0conf', { HOME: '/h' }));
    expect(completionCacheFile('/a\0conf', { XDG_CACHE_HOME: '/x' })).toMatch(/^\/x\/trellis\//);
  });
});
