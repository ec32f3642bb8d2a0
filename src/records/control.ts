import { readFileSync, statSync } from 'node:fs';
import { writeJsonAtomic } from '../run/atomic-write.js';
import { recordPath, RUN_FILES } from './names.js';

/**
 * What `.trellis/control.json` tells a running job (COMMAND_ENV.control names it for a command
 * job). `stop`: the run was interrupted; `prune`: a pruner stopped it early at `step`.
 */
export type ControlDecision = { action: 'stop'; reason: string } | { action: 'prune'; step: number; reason: string };

/** Writes the run's control file atomically: a job reading it sees the whole decision or none. */
export function writeControl(dir: string, decision: ControlDecision): void {
  writeJsonAtomic(recordPath(dir, RUN_FILES.control), { ...decision, time: new Date().toISOString() });
}

/**
 * The run's control file, if it holds a decision. Cheap to ask often: a stat, and a read only when
 * the file changed since `seen` (its modification time and size).
 */
export function readControl(dir: string, seen?: { stamp: string }): ControlDecision | undefined {
  const path = recordPath(dir, RUN_FILES.control);
  let stamp: string;
  try {
    const s = statSync(path);
    stamp = `${s.mtimeMs}:${s.size}`;
  } catch {
    return undefined;
  }
  if (seen && seen.stamp === stamp) return undefined;
  try {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as Partial<Record<string, unknown>>;
    if (seen) seen.stamp = stamp;
    if (parsed.action === 'prune' && typeof parsed.step === 'number') return { action: 'prune', step: parsed.step, reason: String(parsed.reason ?? '') };
    if (parsed.action === 'stop') return { action: 'stop', reason: String(parsed.reason ?? '') };
  } catch {
    // written by hand and not JSON, or removed: no decision
  }
  return undefined;
}
