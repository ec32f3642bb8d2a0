import { dirname, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Where an app was defined: the module that called `defineApp`, and which of its `defineApp`
 * calls it was. A job thread imports that module again and picks the same call, so the job
 * function runs on a thread the supervisor can stop, without being sent across threads.
 */
export interface AppModule {
  url: string;
  ordinal: number;
}

/** Frames from trellis's own code are skipped: bundled (dist/bundle) or compiled/source (src). */
const OWN_DIR = dirname(fileURLToPath(import.meta.url));
const OWN_ROOTS = [OWN_DIR.endsWith(`${sep}bundle`) ? OWN_DIR : dirname(OWN_DIR)];

const callsPerModule = new Map<string, number>();

/** The module URL of `defineApp`'s caller, from the call stack; undefined when it has no file (REPL, eval). */
export function locateCaller(): AppModule | undefined {
  const saved = Error.stackTraceLimit;
  Error.stackTraceLimit = 20;
  const stack = new Error().stack ?? '';
  Error.stackTraceLimit = saved;
  for (const line of stack.split('\n').slice(1)) {
    const match = /\(?((?:file:\/\/)?\/[^():]*?(?:\.[cm]?[jt]sx?)?):\d+:\d+\)?\s*$/.exec(line);
    if (!match) continue;
    const location = match[1]!;
    const path = location.startsWith('file://') ? fileURLToPath(location) : location;
    if (OWN_ROOTS.some((root) => path.startsWith(root + sep))) continue;
    const url = location.startsWith('file://') ? location : new URL(`file://${path}`).href;
    const ordinal = callsPerModule.get(url) ?? 0;
    callsPerModule.set(url, ordinal + 1);
    return { url, ordinal };
  }
  return undefined;
}

export function appModuleKey(module: AppModule): string {
  return `${module.url}#${module.ordinal}`;
}
