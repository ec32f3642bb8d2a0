import { TrellisError } from '../errors/index.js';

/**
 * The config path or group `path` names, in its plain form: `.` and `..` segments applied (a
 * defaults entry `../default` stays inside the search path) and a trailing `.yaml` dropped, as
 * Hydra reads `experiment=example.yaml` and `--config-name train.yaml`. Group and option names
 * come from command lines and files, so a path that would leave the search path
 * (`db=../../etc/passwd`, `/etc/passwd`, `C:x`, `a\b`) is refused.
 */
export function checkConfigPath(path: string): string {
  const escape = () =>
    new TrellisError('PATH_ESCAPE', `The config path '${path}' would leave the config search path`, {
      hint: 'group options and config names are names inside the config directory, such as db/mysql; paths that climb above it with "..", "\\" or a leading "/" are not allowed',
    });
  if (path.includes('\0') || path.includes('\\') || path.startsWith('/') || /^[a-zA-Z]:/.test(path)) throw escape();
  const segments: string[] = [];
  for (const segment of path.split('/')) {
    if (segment === '.') continue;
    if (segment === '..') {
      if (segments.length === 0) throw escape();
      segments.pop();
    } else segments.push(segment);
  }
  const last = segments.at(-1);
  if (last !== undefined && last.length > '.yaml'.length && last.endsWith('.yaml')) segments[segments.length - 1] = last.slice(0, -'.yaml'.length);
  return segments.join('/');
}
