// `npm start` runs dist/: rebuild first when a source is newer than the build, and say why.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';

/** What the build reads, and what `npm start` runs of its output. */
const SOURCES = ['src', 'examples', 'package.json', 'tsconfig.json'];
const OUTPUTS = ['dist/bundle/bin.js', 'dist/bundle/index.js', 'dist/examples/train.js'];

function newest(path) {
  let stat;
  try {
    stat = statSync(path);
  } catch {
    return undefined;
  }
  if (!stat.isDirectory()) return { path, mtimeMs: stat.mtimeMs };
  let best;
  for (const name of readdirSync(path)) {
    const found = newest(join(path, name));
    if (found && (!best || found.mtimeMs > best.mtimeMs)) best = found;
  }
  return best;
}

/** Why the build in `root` is stale (a missing output, or the newest source changed after it), or null. */
export function staleReason(root) {
  let built = Infinity;
  for (const out of OUTPUTS) {
    const found = newest(join(root, out));
    if (!found) return `${out} is missing`;
    built = Math.min(built, found.mtimeMs);
  }
  const source = SOURCES.map((s) => newest(join(root, s))).reduce((a, b) => (b && (!a || b.mtimeMs > a.mtimeMs) ? b : a), undefined);
  return source && source.mtimeMs > built ? `${relative(root, source.path)} changed after the last build` : null;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const root = join(import.meta.dirname, '..');
  const reason = staleReason(root);
  if (reason) {
    process.stderr.write(`[start] ${reason}: building first (npm run build)\n`);
    const build = spawnSync('npm', ['run', '--silent', 'build'], { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' });
    process.exit(build.status ?? 1);
  }
}
