import { hostname } from 'node:os';

/** Whether process `pid` exists here (EPERM: it exists, owned by someone else). */
function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Whether a record's writer may still be alive: on this host its pid is checked; on another
 * host nothing can be checked from here, so it may be.
 */
export function writerMayBeAlive(writer: { pid?: unknown; host?: unknown }): boolean {
  if (writer.host !== hostname() || typeof writer.pid !== 'number') return true;
  return processAlive(writer.pid);
}
