import { spawnSync } from 'node:child_process';
import { existsSync, realpathSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
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
 * Interpreters by name: the one-letter options that take code, and those that take another value
 * as the next argument. Short options combine (`bash -lc CODE`, `python3 -Sc CODE`, `perl -lne
 * CODE`) and take a value attached (`python3 -cpass`, `node -e0`), which the whole-argument
 * check above does not see.
 */
const INTERPRETERS: ReadonlyArray<{ name: RegExp; code: string; value: string }> = [
  { name: /^(ba|da|z|k|mk|a|fi|c|tc|y|po)?sh$/, code: 'c', value: 'oO' },
  { name: /^(python|pypy)(\d+(\.\d+)*)?[dmtw]?$/i, code: 'c', value: 'WX' },
  { name: /^(node|nodejs|bun|deno)(\d+)?$/, code: 'ep', value: 'rC' },
  { name: /^perl(\d+(\.\d+)*)?$/, code: 'eE', value: '' },
  { name: /^(ruby|lua|luajit|julia|Rscript|R|osascript)(\d+(\.\d+)*)?$/, code: 'e', value: 'I' },
  { name: /^php(\d+(\.\d+)*)?$/, code: 'rBRFE', value: 'cdz' },
];

/** Programs that run the rest of their arguments as a command (`env -i sh -c …`, `nice -n 5 …`). */
const PREFIX_PROGRAMS = /^(env|nice|nohup|time|timeout|stdbuf|setsid|taskset|ionice|chrt|exec)$/;

/**
 * The option of `command` that makes an interpreter run code given inline, as a cluster of
 * one-letter options or with the code attached (`-ec`, `-cpass`, `-pe`), or undefined. Only
 * options before the interpreter's first operand (its script) count: later ones are the script's.
 */
export function inlineCodeCluster(command: readonly string[]): string | undefined {
  let i = 0;
  // Past prefix programs, their options and `NAME=value` settings, to the interpreter.
  while (i < command.length && PREFIX_PROGRAMS.test(basename(command[i]!))) {
    i++;
    while (i < command.length && (command[i]!.startsWith('-') || /^\w+=/.test(command[i]!) || /^\d+(\.\d+)?[smhd]?$/.test(command[i]!))) i++;
  }
  const program = command[i];
  if (program === undefined) return undefined;
  const interpreter = INTERPRETERS.find((it) => it.name.test(basename(program)));
  if (!interpreter) return undefined;
  for (let j = i + 1; j < command.length; j++) {
    const arg = command[j]!;
    if (arg === '--' || !arg.startsWith('-') || arg === '-') return undefined;
    if (arg.startsWith('--')) continue;
    for (let k = 1; k < arg.length; k++) {
      if (interpreter.code.includes(arg[k]!)) return arg;
      // An option with a value: the rest of the cluster is the value, else the next argument is.
      if (interpreter.value.includes(arg[k]!)) {
        if (k === arg.length - 1) j++;
        break;
      }
    }
  }
  return undefined;
}

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
  const cluster = inlineCodeCluster(args);
  if (cluster !== undefined && !INLINE_CODE_FLAGS.has(cluster)) problems.push(`the command runs inline code: ${cluster} (${JSON.stringify(args.join(' '))})`);
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
