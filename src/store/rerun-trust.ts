import { spawnSync } from 'node:child_process';
import { existsSync, realpathSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { RECORDS_DIR, RUN_FILES } from '../records/names.js';

/**
 * What a rerun would execute, taken from a run directory. Run directories are data that people
 * copy and share, so nothing they name runs unless it belongs to the project the rerun is made
 * from: `trellis rerun` shows this plan, and refuses it (without `--trust`) when a check fails.
 */
export interface RerunPlan {
  /** Where the child starts: the run's recorded working directory. */
  cwd: string;
  /** The script of an app job (absolute); absent for a command job. */
  entry?: string | undefined;
  configDir: string;
  /** A command job's program and arguments, as recorded. */
  command?: readonly string[] | undefined;
  /** Folders that hold recorded runs (outputs/, multirun/, the run's store root). */
  storeRoots: readonly string[];
}

/** Options of interpreters that run the code given on the command line instead of a file. */
const INLINE_CODE_FLAGS = new Set(['-c', '-e', '--eval', '-p', '--print', '--command', '-E', '-r']);

/**
 * The reasons not to run `plan` from `projectDir` (empty when it is safe): a working directory,
 * script or config directory outside the project (its git work tree, else the directory), one
 * that lies inside recorded run data and is not tracked by the project's git, or a command that
 * runs inline code.
 */
export function rerunTrustProblems(plan: RerunPlan, projectDir: string): string[] {
  const git = gitRoot(projectDir);
  const project = realOrSelf(git ?? projectDir);
  const problems: string[] = [];
  const inProject = (path: string) => isInside(realOrSelf(path), project);
  const check = (what: string, path: string) => {
    if (!inProject(path)) {
      problems.push(`${what} ${path} is outside the project ${project}`);
      return;
    }
    // A store root that holds the project itself (`--root .`) says nothing about what is data.
    const roots = plan.storeRoots.map(realOrSelf).filter((root) => !isInside(project, root));
    const data = recordedDataHolding(path, roots);
    if (data && !(git && isTracked(git, path))) problems.push(`${what} ${path} lies inside recorded run data (${data}) and is not tracked by git`);
  };
  check('the working directory', plan.cwd);
  if (plan.entry !== undefined) check('the script', plan.entry);
  check('the config directory', resolve(plan.cwd, plan.configDir));
  const args = plan.command ?? [];
  args.forEach((arg, i) => {
    if (i > 0 && INLINE_CODE_FLAGS.has(args[i - 1]!)) problems.push(`the command runs inline code: ${args[i - 1]} ${JSON.stringify(arg)}`);
    // Any argument that names a file (the program given as a path, its script, a module file).
    const path = isAbsolute(arg) ? arg : arg.includes('/') || i > 0 ? resolve(plan.cwd, arg) : undefined;
    if (path !== undefined && isFile(path)) check(i === 0 ? 'the program' : 'the file', path);
  });
  return problems;
}

function isInside(path: string, dir: string): boolean {
  const rel = relative(dir, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/** Symbolic links resolved, so a link inside the project cannot point out of it unseen. */
function realOrSelf(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return resolve(path);
  }
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** The run directory or store root that holds `path`, if any. */
function recordedDataHolding(path: string, storeRoots: readonly string[]): string | undefined {
  const real = realOrSelf(path);
  const root = storeRoots.find((r) => isInside(real, r));
  if (root) return root;
  for (let dir = real; ; dir = dirname(dir)) {
    if (existsSync(join(dir, RECORDS_DIR, RUN_FILES.run))) return dir;
    if (dirname(dir) === dir) return undefined;
  }
}

function gitRoot(dir: string): string | undefined {
  const r = spawnSync('git', ['rev-parse', '--show-toplevel'], { cwd: dir, encoding: 'utf8', timeout: 10_000 });
  return r.status === 0 ? r.stdout.trim() || undefined : undefined;
}

function isTracked(gitDir: string, path: string): boolean {
  const r = spawnSync('git', ['ls-files', '--error-unmatch', '--', realOrSelf(path)], { cwd: gitDir, encoding: 'utf8', timeout: 10_000 });
  return r.status === 0;
}
