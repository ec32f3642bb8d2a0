/** A temp project for the app benchmarks: the demo conf/ in a git repository with one commit. */
import { spawnSync } from 'node:child_process';
import { cpSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, tempDir } from './util.mjs';

export function makeAppDir(prefix = 'app') {
  const dir = tempDir(prefix);
  cpSync(join(ROOT, 'conf'), join(dir, 'conf'), { recursive: true });
  writeFileSync(join(dir, '.gitignore'), 'outputs/\nmultirun/\n');
  const git = (...args) => {
    const r = spawnSync('git', args, { cwd: dir, encoding: 'utf8' });
    return r.status === 0;
  };
  const hasGit =
    git('init', '-q') &&
    git('add', '.') &&
    git('-c', 'user.name=bench', '-c', 'user.email=bench@example.invalid', '-c', 'commit.gpgsign=false', 'commit', '-q', '-m', 'bench');
  return { dir, hasGit };
}
