import { basename, relative, sep } from 'node:path';

/** What names a run's folder in an export. */
export interface RunNaming {
  id: string;
  /** The run directory and the store root it was found under (absolute). */
  dir: string;
  root: string;
  overrides: readonly string[];
}

/** TensorBoard splits run names at '/'; an override value must not make folders (a path, a URL). */
const unsafe = /[\\/\0:*?"<>|]/g;
const MAX_LEAF = 120;

/**
 * The folder of a run inside an export, as TensorBoard's run selector will show it: where the
 * run lives under its root's own name (`outputs/2026-11-23/10-15-02`, `multirun/…/3`), then its
 * overrides (`… lr=0.1,opt=adam`), so runs of a sweep read apart at a glance. Pure: the same run
 * gets the same name on every export.
 */
export function runFolderName(run: RunNaming): string {
  const rel = relative(run.root, run.dir);
  const parts = [basename(run.root), ...(rel === '' ? [] : rel.split(sep))]
    .map((p) => p.replace(unsafe, '_'))
    .filter((p) => p !== '' && p !== '.' && p !== '..');
  if (parts.length === 0) parts.push(run.id);
  // Settings of trellis itself (++trellis.tensorboard=true) say nothing about the run.
  const overrides = run.overrides
    .filter((o) => !/^[+~]*(hydra|trellis)[./]/.test(o))
    .sort()
    .join(',')
    .replace(unsafe, '_');
  if (overrides) {
    const leaf = `${parts.pop()!} ${overrides}`;
    parts.push(leaf.length > MAX_LEAF ? `${leaf.slice(0, MAX_LEAF - 1)}…` : leaf);
  }
  return parts.join('/');
}
