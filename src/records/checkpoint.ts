import { copyFileSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { basename, isAbsolute, join, relative, resolve } from 'node:path';
import { TrellisError } from '../errors/index.js';
import { writeFileAtomic } from '../run/atomic-write.js';
import { CHECKPOINT_LATEST, CHECKPOINTS_DIR } from './names.js';

/**
 * `checkpoints/latest.json`: the step and either the state itself (`data`, any JSON value) or a
 * file under the checkpoints folder (`file`, relative to it). A command job writes it itself,
 * last, through a temp file and a rename.
 */
export interface CheckpointPointer {
  step: number;
  data?: unknown;
  file?: string;
}

/** A checkpoint as the job that restores it gets it. */
export interface Checkpoint {
  step: number;
  /** The state checkpointed as data. */
  data?: unknown;
  /** The file checkpointed (absolute; in the run that wrote it: read it, never change it). */
  path?: string;
  /** The run directory that wrote it. */
  from: string;
}

export function checkpointsDir(runDir: string): string {
  return join(runDir, CHECKPOINTS_DIR);
}

/** The newest checkpoint a run left, or undefined when it left none (or a pointer that is not one). */
export function readCheckpoint(runDir: string): CheckpointPointer | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(join(checkpointsDir(runDir), CHECKPOINT_LATEST), 'utf8'));
  } catch {
    return undefined;
  }
  if (parsed === null || typeof parsed !== 'object') return undefined;
  const p = parsed as Record<string, unknown>;
  if (typeof p.step !== 'number' || !Number.isFinite(p.step)) return undefined;
  if (p.file !== undefined && (typeof p.file !== 'string' || escapes(p.file))) return undefined;
  return { step: p.step, ...(Object.hasOwn(p, 'data') ? { data: p.data } : {}), ...(typeof p.file === 'string' ? { file: p.file } : {}) };
}

/** A pointer's file must stay inside the checkpoints folder. */
function escapes(file: string): boolean {
  const rel = relative('/c', resolve('/c', file));
  return rel === '' || rel.startsWith('..') || isAbsolute(rel);
}

let copies = 0;

/**
 * Saves a checkpoint into `runDir`: a JSON value goes into the pointer itself; `{ path }` is
 * copied to `<step>/<name>` first (temp + rename), then the pointer is replaced atomically, so a
 * reader sees the old checkpoint or the new one, whole.
 */
export function writeCheckpoint(runDir: string, step: number, state: unknown, cwd: string): string {
  if (!Number.isFinite(step)) throw new TrellisError('RUN_IO', `A checkpoint's step must be a finite number, got ${step}`);
  const dir = checkpointsDir(runDir);
  mkdirSync(dir, { recursive: true });
  const latest = join(dir, CHECKPOINT_LATEST);
  if (isFileState(state)) {
    const file = `${step}/${basename(state.path)}`;
    const target = join(dir, file);
    mkdirSync(join(dir, String(step)), { recursive: true });
    const temp = `${target}.${process.pid}.${++copies}.tmp`;
    try {
      copyFileSync(resolve(cwd, state.path), temp);
      renameSync(temp, target);
    } catch (cause) {
      rmSync(temp, { force: true });
      throw new TrellisError('RUN_IO', `Cannot checkpoint ${state.path} (${(cause as NodeJS.ErrnoException).code ?? 'error'})`, { cause });
    }
    writeFileAtomic(latest, `${JSON.stringify({ step, file })}\n`);
    return target;
  }
  if (state === undefined || typeof state === 'function' || typeof state === 'symbol') {
    throw new TrellisError('RUN_IO', `A checkpoint must be JSON data or { path }, got ${typeof state}`, {
      hint: 'run.checkpoint({ weights, epoch }) or run.checkpoint({ path: "model.bin" })',
    });
  }
  let text: string;
  try {
    text = JSON.stringify({ step, data: state });
  } catch (cause) {
    throw new TrellisError('RUN_IO', `A checkpoint must be JSON data or { path }: ${(cause as Error).message}`, { cause });
  }
  writeFileAtomic(latest, `${text}\n`);
  return latest;
}

/** `{ path: string }` and nothing else: a file to copy. Any other value is data. */
function isFileState(state: unknown): state is { path: string } {
  return (
    state !== null &&
    typeof state === 'object' &&
    !Array.isArray(state) &&
    Object.keys(state).length === 1 &&
    typeof (state as { path?: unknown }).path === 'string'
  );
}

/** The checkpoint a run restores from `fromDir`; a TrellisError when it is not there. */
export function loadCheckpoint(fromDir: string): Checkpoint {
  const pointer = readCheckpoint(fromDir);
  if (!pointer) {
    throw new TrellisError('RUN_IO', `No checkpoint to restore in ${fromDir} (${CHECKPOINTS_DIR}/${CHECKPOINT_LATEST} is missing or not valid)`, {
      hint: 'checkpoints are never deleted by trellis: was the run directory moved or cleaned?',
    });
  }
  return {
    step: pointer.step,
    ...(Object.hasOwn(pointer, 'data') ? { data: pointer.data } : {}),
    ...(pointer.file !== undefined ? { path: join(checkpointsDir(fromDir), pointer.file) } : {}),
    from: fromDir,
  };
}
