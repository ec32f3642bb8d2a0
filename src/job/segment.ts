import { resolve } from 'node:path';
import { selectPath } from '../config-dir/select.js';
import { TrellisError } from '../errors/index.js';
import { toPlain, type Node } from '../tree/node.js';
import type { SegmentToRun } from './run-handle.js';

/**
 * The PBT segment a job trains, from the `trellis.pbt.*` overrides a PBT sweep gives it (so the
 * run's recorded overrides say what it trained and restored): member, generation, steps
 * [start, end), and the run directory to restore, relative to the working directory (a rerun
 * started where the sweep ran finds it too).
 */
export function segmentOf(runtime: Node, base: string): SegmentToRun | undefined {
  const node = selectPath(runtime, 'pbt');
  if (!node) return undefined;
  const plain = toPlain(node) as Record<string, unknown> | null;
  const int = (key: string): number => {
    const v = plain?.[key];
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) {
      throw new TrellisError('USAGE', `trellis.pbt.${key} must be a whole number, got ${JSON.stringify(v)}`, {
        keyPath: `trellis.pbt.${key}`,
        hint: 'trellis.pbt.* is set by --sweeper pbt: member, generation, start, end (and restore)',
      });
    }
    return v;
  };
  const restore = plain?.restore;
  return {
    member: int('member'),
    generation: int('generation'),
    start: int('start'),
    end: int('end'),
    restoreFrom: restore === undefined || restore === null ? null : resolve(base, String(restore)),
  };
}
