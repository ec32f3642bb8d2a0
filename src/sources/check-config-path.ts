import { TrellisError } from '../errors/index.js';

/**
 * Rejects config paths and group options that could leave the search path. Group and option
 * names come from command lines and files, so `db=../../etc/passwd` must never be read.
 */
export function checkConfigPath(path: string): void {
  const bad =
    path.includes('\0') ||
    path.includes('\\') ||
    path.startsWith('/') ||
    /^[a-zA-Z]:/.test(path) ||
    path.split('/').some((segment) => segment === '..' || segment === '.');
  if (bad) {
    throw new TrellisError('PATH_ESCAPE', `The config path '${path}' would leave the config search path`, {
      hint: 'group options and config names are names inside the config directory, such as db/mysql; paths with "..", "\\" or a leading "/" are not allowed',
    });
  }
}
