import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, createReadStream, openSync, readSync, realpathSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import { readPackages, type PackagesInfo } from './env-snapshot.js';
import { findOnPath } from '../util/find-on-path.js';
import { redactStrings, redactText, redactUrl, secretValuesFromEnv } from './secrets.js';

/**
 * What a command job's program ran on (`program.json`): the program, the interpreter and its
 * version, the script and its hash, and for Python every installed distribution, for Node the
 * project's packages. Capturing never throws and never hangs: what failed is in `errors`.
 */

type ProgramKind = 'python' | 'node' | 'other';

interface PythonEnv {
  /** `sys.implementation.name`: cpython, pypy … */
  implementation: string;
  /** `sys.executable`: the interpreter behind shims and symlinks. */
  executable: string;
  prefix: string;
  base_prefix: string;
  /** The virtual environment: `sys.prefix` when it differs from `sys.base_prefix`, else null. */
  venv: string | null;
  virtual_env: string | null;
  conda_prefix: string | null;
  /** PEP 503 normalised name → version, as `importlib.metadata` sees them (first on sys.path wins); null when unreadable. */
  distributions: Record<string, string> | null;
}

export interface ProgramEnv {
  /** Format of program.json. */
  format: 1;
  /** `command[0]` as given. */
  program: string;
  /** Absolute, symlinks resolved; null when not found. */
  path: string | null;
  kind: ProgramKind;
  /** Python `3.11.7`, Node `v20.11.0`, or the first line of a binary's `--version` (for a `#!` script: its interpreter's). */
  version: string | null;
  /** The interpreter named by the program's `#!` line, when the program is a script. */
  interpreter: { name: string; path: string | null; args: string[] } | null;
  /** The script that ran: the program itself (`#!`) or an interpreter's script argument. Path relative to cwd when inside it. */
  script: { path: string; sha256: string | null } | null;
  /** `python -m MODULE`. */
  module: string | null;
  python: PythonEnv | null;
  node: { packages: PackagesInfo } | null;
  /** What could not be recorded, and why (a timeout, a missing interpreter …). */
  errors: string[];
}

export interface CaptureProgramOptions {
  cwd: string;
  /** The child's environment: its PATH finds the program, and the interpreter runs with it. */
  env: NodeJS.ProcessEnv;
  /** Bound on the interpreter probe (default 5000 ms); `--version` gets at most 2000 ms of it. */
  timeoutMs?: number;
  /** Values removed wherever they appear; the values of the env's secret-named vars are added. */
  secretValues?: readonly string[];
}

const DEFAULT_TIMEOUT_MS = 5000;
const VERSION_TIMEOUT_MS = 2000;
/** Bigger scripts are not hashed: a "script" argument of gigabytes is data, not code. */
const MAX_SCRIPT_BYTES = 64 * 1024 * 1024;
const MAX_VERSION_LENGTH = 200;

const PYTHON_NAME = /^(python|pypy)(\d+(\.\d+)*)?[dmtw]?(\.exe)?$/i;
const NODE_NAME = /^(node|nodejs)(\d+)?(\.exe)?$/i;
const SHELL_NAME = /^(ba|da|z|k|mk|fi|c|tc)?sh$/;
const OTHER_INTERPRETER = /^(perl|ruby|Rscript|julia|lua|php|tclsh|osascript)(\d+(\.\d+)*)?$/;

function kindOfName(name: string): ProgramKind {
  if (PYTHON_NAME.test(name)) return 'python';
  if (NODE_NAME.test(name)) return 'node';
  return 'other';
}

export async function captureProgramEnv(command: readonly string[], options: CaptureProgramOptions): Promise<ProgramEnv> {
  const program = command[0] ?? '';
  const result: ProgramEnv = {
    format: 1,
    program,
    path: null,
    kind: 'other',
    version: null,
    interpreter: null,
    script: null,
    module: null,
    python: null,
    node: null,
    errors: [],
  };
  try {
    await describeProgram(command, options, result);
  } catch (e) {
    // describeProgram() catches what it expects; this keeps the promise of never throwing.
    result.errors.push(`program env: ${e instanceof Error ? e.message : String(e)}`);
  }
  const secrets = [...(options.secretValues ?? []), ...secretValuesFromEnv(options.env)];
  return redactStrings(result, (text) => redactText(redactUrl(text), secrets));
}

async function describeProgram(command: readonly string[], options: CaptureProgramOptions, out: ProgramEnv): Promise<void> {
  const { cwd, env } = options;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const versionTimeoutMs = Math.min(VERSION_TIMEOUT_MS, timeoutMs);
  const given = out.program;
  const found = given ? locate(given, cwd, env) : undefined;
  if (!found) {
    out.kind = kindOfName(basename(given));
    out.errors.push(given ? `${given} not found${given.includes('/') ? '' : ' on PATH'}` : 'empty command');
    return;
  }
  out.path = realpath(found);
  const head = readHead(out.path);
  const shebang = kindOfName(basename(given)) === 'other' ? parseShebang(head) : undefined;

  // The interpreter that runs the job, and the arguments it gets before the user's. It runs by the
  // path the job uses, symlinks kept: a venv's bin/python links outside it, and finds its venv by that path.
  let interpreter: string | undefined = found;
  let interpreterName = basename(given);
  let args = command.slice(1);
  if (shebang) {
    out.script = await scriptRecord(found, cwd, out.errors);
    const path = shebang.viaEnv ? locate(shebang.name, cwd, env) : isFile(shebang.name) ? shebang.name : undefined;
    out.interpreter = { name: shebang.name, path: path ? realpath(path) : null, args: shebang.args };
    interpreter = path;
    interpreterName = basename(shebang.name);
    // The script comes after the shebang's own arguments, so those are the interpreter's options.
    args = shebang.args;
    if (!interpreter) out.errors.push(`the #! interpreter ${shebang.name} was not found`);
  }
  out.kind = kindOfName(interpreterName);
  const parsed = parseInterpreterArgs(interpreterName, args);
  if (!shebang && parsed.script !== undefined) {
    const candidate = resolve(cwd, parsed.script);
    if (isFile(candidate)) out.script = await scriptRecord(candidate, cwd, out.errors);
  }
  out.module = parsed.module ?? null;
  if (!interpreter) return;

  if (out.kind === 'python') {
    // sys.path[0] of the job: the script's directory, else the working directory (-m, -c).
    const path0 = out.script ? dirname(realpath(resolve(cwd, out.script.path))) : resolve(cwd);
    const probe = await probePython(interpreter, parsed.flags, path0, { cwd, env, timeoutMs });
    if (typeof probe === 'string') out.errors.push(probe);
    else {
      out.version = probe.version;
      out.python = probe.python;
      if (probe.error) out.errors.push(probe.error);
    }
  } else if (out.kind === 'node') {
    const version = await nodeVersion(interpreter, { cwd, env, timeoutMs: versionTimeoutMs });
    if (version.error) out.errors.push(version.error);
    out.version = version.line;
    out.node = { packages: readPackages(out.script ? dirname(resolve(cwd, out.script.path)) : cwd) };
  } else if (isBinary(shebang ? readHead(interpreter) : head)) {
    // Only a compiled program is asked for --version: a script could start the user's work instead.
    const version = await versionLine(interpreter, { cwd, env, timeoutMs: versionTimeoutMs });
    if (version.error) out.errors.push(version.error);
    out.version = version.line;
  }
}

// --- files ---

/** `program` on the env's PATH, or relative to cwd when it names a path. */
function locate(program: string, cwd: string, env: NodeJS.ProcessEnv): string | undefined {
  if (program.includes('/') || isAbsolute(program)) {
    const path = resolve(cwd, program);
    return isFile(path) ? path : undefined;
  }
  const path = findOnPath(program, env);
  return path && isFile(path) ? resolve(cwd, path) : undefined;
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function realpath(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

/** The first bytes of a file: enough for a `#!` line (Linux reads 256) or a binary's magic number. */
function readHead(path: string): Buffer {
  const buffer = Buffer.alloc(512);
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    return buffer.subarray(0, readSync(fd, buffer, 0, buffer.length, 0));
  } catch {
    return Buffer.alloc(0);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

const BINARY_MAGIC = [
  [0x7f, 0x45, 0x4c, 0x46], // ELF
  [0xcf, 0xfa, 0xed, 0xfe], // Mach-O 64-bit
  [0xce, 0xfa, 0xed, 0xfe], // Mach-O 32-bit
  [0xca, 0xfe, 0xba, 0xbe], // Mach-O universal
  [0x4d, 0x5a], // PE (MZ)
];

function isBinary(head: Buffer): boolean {
  return BINARY_MAGIC.some((magic) => magic.every((byte, i) => head[i] === byte));
}

interface Shebang {
  /** The interpreter's path, or its name when found through `/usr/bin/env`. */
  name: string;
  viaEnv: boolean;
  args: string[];
}

/**
 * The `#!` line of the script `program` names, as the kernel reads it (a CR of Windows line
 * endings kept), or undefined when it is no script. Explains a script that exists but cannot start.
 */
export function shebangLineOf(program: string, cwd: string, env: NodeJS.ProcessEnv): string | undefined {
  const path = program ? locate(program, cwd, env) : undefined;
  if (!path) return undefined;
  const head = readHead(path);
  if (head[0] !== 0x23 || head[1] !== 0x21) return undefined;
  return head.toString('utf8').slice(2).split('\n')[0]!;
}

function parseShebang(head: Buffer): Shebang | undefined {
  if (head[0] !== 0x23 || head[1] !== 0x21) return undefined;
  const line = head.toString('utf8').slice(2).split('\n')[0]!.trim();
  const [first, ...rest] = line.split(/\s+/);
  if (!first) return undefined;
  if (basename(first) !== 'env') return { name: first, viaEnv: false, args: rest };
  // `#!/usr/bin/env [-S] [-i] [VAR=value] python3 -u`: the first word that is no option or assignment.
  const at = rest.findIndex((word) => !word.startsWith('-') && !word.includes('='));
  if (at < 0) return undefined;
  return { name: rest[at]!, viaEnv: true, args: rest.slice(at + 1) };
}

/** The script's path (relative to cwd when inside it) and sha256. */
async function scriptRecord(path: string, cwd: string, errors: string[]): Promise<{ path: string; sha256: string | null }> {
  const rel = relative(resolve(cwd), path);
  const shown = rel && !rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel) ? rel.split(sep).join('/') : path;
  try {
    const size = statSync(path).size;
    if (size > MAX_SCRIPT_BYTES) {
      errors.push(`script ${shown} is larger than ${MAX_SCRIPT_BYTES / 1024 / 1024} MB and was not hashed`);
      return { path: shown, sha256: null };
    }
    return { path: shown, sha256: await sha256File(path) };
  } catch (e) {
    errors.push(`script ${shown} cannot be read (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
    return { path: shown, sha256: null };
  }
}

function sha256File(path: string): Promise<string> {
  return new Promise((done, fail) => {
    const hash = createHash('sha256');
    createReadStream(path)
      .on('data', (chunk) => hash.update(chunk))
      .on('error', fail)
      .on('end', () => done(hash.digest('hex')));
  });
}

// --- interpreter arguments ---

interface ArgRules {
  /** Options whose value is the next argument (or the rest of a short cluster). */
  valued: readonly string[];
  /** Options after which no script follows: the code is inline (`-c`, `-e`) or read from stdin. */
  stop: readonly string[];
  /** Option naming a module to run instead of a script. */
  module?: string;
  /** Short flags passed on to the probe, because they change what Python finds on sys.path. */
  pathFlags?: string;
}

const RULES: Array<[RegExp, ArgRules]> = [
  [PYTHON_NAME, { valued: ['-W', '-X', '-Q', '--check-hash-based-pycs'], stop: ['-c', '-'], module: '-m', pathFlags: 'IEsSP' }],
  [
    NODE_NAME,
    {
      valued: ['-r', '--require', '--import', '--loader', '--experimental-loader', '-C', '--conditions', '--input-type', '--title', '--inspect-port'],
      stop: ['-e', '--eval', '-p', '--print', '-'],
    },
  ],
  [SHELL_NAME, { valued: ['-o', '+o', '-O', '+O', '--rcfile', '--init-file'], stop: ['-c', '-s', '-'] }],
  [OTHER_INTERPRETER, { valued: ['-I', '-r'], stop: ['-e', '-E', '-c', '-'] }],
];

interface ParsedArgs {
  script?: string;
  module?: string;
  /** Python's sys.path-changing flags, as options for the probe (`-I`, `-s` …). */
  flags: string[];
}

/** The script (or module) an interpreter runs: its first argument that is no option or option value. */
function parseInterpreterArgs(name: string, args: readonly string[]): ParsedArgs {
  const rules = RULES.find(([pattern]) => pattern.test(name))?.[1];
  const parsed: ParsedArgs = { flags: [] };
  if (!rules) return parsed;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--') {
      parsed.script = args[i + 1];
      return parsed;
    }
    if (rules.stop.includes(arg)) return parsed;
    if (!/^[-+]./.test(arg)) {
      parsed.script = arg;
      return parsed;
    }
    if (arg.startsWith('--')) {
      if (!arg.includes('=') && rules.valued.includes(arg)) i++;
      continue;
    }
    // A cluster of short options: `-uB`, `-Wignore`, `-mpkg.train`, `-euxo pipefail`.
    for (let c = 1; c < arg.length; c++) {
      const option = `${arg[0]}${arg[c]}`;
      const rest = arg.slice(c + 1);
      if (rules.stop.includes(option)) return parsed;
      if (option === rules.module) {
        parsed.module = rest || args[i + 1];
        return parsed;
      }
      if (rules.valued.includes(option)) {
        if (!rest) i++;
        break;
      }
      if (rules.pathFlags?.includes(arg[c]!)) parsed.flags.push(`-${arg[c]}`);
    }
  }
  return parsed;
}

// --- subprocesses ---

interface Bounded {
  cwd: string;
  env: NodeJS.ProcessEnv;
  timeoutMs: number;
}

interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
  /** Why there is no normal exit: a spawn error or a timeout. */
  error?: string;
}

const MAX_OUTPUT_BYTES = 16 * 1024 * 1024;
const seconds = (ms: number) => `${Number((ms / 1000).toFixed(3))} s`;

/**
 * Runs a program with stdin closed, and resolves by `timeoutMs` at the latest. A program that
 * overruns is killed with its process group, so a shim's grandchild does not keep the pipes open.
 */
function runBounded(file: string, args: readonly string[], label: string, options: Bounded): Promise<Outcome> {
  return new Promise((done) => {
    let stdout = '';
    let stderr = '';
    let settled = false;
    let timer: NodeJS.Timeout | undefined;
    const finish = (outcome: Outcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      done(outcome);
    };
    let child: ReturnType<typeof spawn>;
    try {
      child = spawn(file, args, {
        cwd: options.cwd,
        env: options.env,
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: process.platform !== 'win32',
        windowsHide: true,
      });
    } catch (e) {
      finish({ code: null, stdout, stderr, error: `${label} could not start: ${e instanceof Error ? e.message : String(e)}` });
      return;
    }
    timer = setTimeout(() => {
      kill(child);
      child.stdout?.destroy();
      child.stderr?.destroy();
      finish({ code: null, stdout, stderr, error: `${label} timed out after ${seconds(options.timeoutMs)}` });
    }, options.timeoutMs);
    child.stdout?.on('data', (d: Buffer) => {
      stdout += d.toString('utf8');
      if (stdout.length > MAX_OUTPUT_BYTES) {
        kill(child);
        finish({ code: null, stdout: '', stderr, error: `${label} printed more than ${MAX_OUTPUT_BYTES} bytes` });
      }
    });
    child.stderr?.on('data', (d: Buffer) => {
      if (stderr.length < 64 * 1024) stderr += d.toString('utf8');
    });
    child.on('error', (e) => finish({ code: null, stdout, stderr, error: `${label} could not start: ${e.message}` }));
    child.on('close', (code) => finish({ code, stdout, stderr }));
  });
}

function kill(child: ReturnType<typeof spawn>): void {
  try {
    if (child.pid !== undefined && process.platform !== 'win32') process.kill(-child.pid, 'SIGKILL');
    else child.kill('SIGKILL');
  } catch {
    // already gone
  }
}

const lastLine = (text: string) => text.trim().split(/\r?\n/).pop()?.trim() ?? '';
const firstLine = (text: string) =>
  text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .find((l) => l !== '')
    ?.slice(0, MAX_VERSION_LENGTH) ?? null;

/**
 * Cached per process: a sweep of many jobs asks each interpreter once. The promise is kept, so
 * jobs started together share one probe, and so is a failure (retrying a timeout per job would
 * add its delay to every job). `fresh` can reject a kept value (packages installed since).
 */
const cache = new Map<string, Promise<unknown>>();

async function cached<T>(key: string, make: () => Promise<T>, fresh: (value: T) => boolean = () => true): Promise<T> {
  const hit = cache.get(key) as Promise<T> | undefined;
  if (hit) {
    const value = await hit;
    if (fresh(value)) return value;
    if (cache.get(key) === hit) cache.delete(key);
  }
  let again = cache.get(key) as Promise<T> | undefined;
  if (!again) cache.set(key, (again = make()));
  return again;
}

interface VersionLine {
  line: string | null;
  error?: string;
}

/** The first non-empty line of `PROGRAM --version` (stdout, else stderr); null when it fails. */
function versionLine(program: string, options: Bounded): Promise<VersionLine> {
  return cached(JSON.stringify(['--version', program]), async () => {
    const outcome = await runBounded(program, ['--version'], `${basename(program)} --version`, options);
    if (outcome.error) return { line: null, error: outcome.error };
    if (outcome.code !== 0) return { line: null };
    return { line: firstLine(outcome.stdout) ?? firstLine(outcome.stderr) };
  });
}

function nodeVersion(node: string, options: Bounded): Promise<VersionLine> {
  // The running Node needs no subprocess.
  if (realpath(node) === realpath(process.execPath)) return Promise.resolve({ line: process.version });
  return versionLine(node, options);
}

/** Env vars that change which Python runs or what it finds on sys.path. */
const PYTHON_ENV = [
  'PATH',
  'VIRTUAL_ENV',
  'CONDA_PREFIX',
  'PYTHONPATH',
  'PYTHONHOME',
  'PYTHONNOUSERSITE',
  'PYTHONUSERBASE',
  'PYTHONSAFEPATH',
  'PYENV_VERSION',
  'HOME',
];

/**
 * One short Python program prints everything as JSON on its last line (site hooks may print
 * before it). sys.path[0] is set to what the job's own would be, so the same distributions are
 * found. Written for any Python 3; importlib.metadata needs 3.8.
 */
const PYTHON_PROBE = `
import sys, os, json, re, platform
r = {"version": platform.python_version(), "implementation": getattr(sys, "implementation", None) and sys.implementation.name or platform.python_implementation().lower(),
     "executable": sys.executable, "prefix": sys.prefix, "base_prefix": getattr(sys, "base_prefix", sys.prefix),
     "virtual_env": os.environ.get("VIRTUAL_ENV"), "conda_prefix": os.environ.get("CONDA_PREFIX"), "distributions": None}
r["venv"] = r["prefix"] if r["prefix"] != r["base_prefix"] else None
if sys.path and sys.path[0] == "" and len(sys.argv) > 1:
    sys.path[0] = sys.argv[1]
try:
    from importlib import metadata
    seen = {}
    for d in metadata.distributions():
        name = d.metadata.get("Name")
        if name:
            seen.setdefault(re.sub(r"[-_.]+", "-", name).lower(), str(d.version))
    r["distributions"] = dict(sorted(seen.items()))
except Exception as e:
    r["error"] = "importlib.metadata: %s" % e
r["paths"] = [p for p in sys.path if os.path.isdir(p)]
sys.stdout.write("\\n" + json.dumps(r) + "\\n")
`;

interface PythonProbe {
  version: string | null;
  python: PythonEnv;
  error?: string;
  /** The sys.path directories and their mtimes: installing or removing a distribution changes one. */
  stamps: Array<[string, number]>;
}

const mtime = (dir: string) => {
  try {
    return statSync(dir).mtimeMs;
  } catch {
    return -1;
  }
};
const unchanged = (probe: PythonProbe | string) => typeof probe === 'string' || probe.stamps.every(([dir, time]) => mtime(dir) === time);

function probePython(python: string, flags: readonly string[], path0: string, options: Bounded): Promise<PythonProbe | string> {
  // A shim (pyenv) picks the Python from files in the working directory, so its answer depends on cwd.
  const shim = !isBinary(readHead(python));
  const key = JSON.stringify(['python', python, flags, path0, shim ? options.cwd : null, PYTHON_ENV.map((name) => options.env[name] ?? null)]);
  return cached(
    key,
    async () => {
      const outcome = await runBounded(python, [...flags, '-c', PYTHON_PROBE, path0], 'python -c', options);
      if (outcome.error) return outcome.error;
      if (outcome.code !== 0) return `python -c exited with code ${String(outcome.code)}: ${lastLine(outcome.stderr) || 'no output'}`;
      try {
        const raw = JSON.parse(lastLine(outcome.stdout)) as Record<string, unknown>;
        const str = (v: unknown) => (typeof v === 'string' ? v : null);
        const python: PythonEnv = {
          implementation: str(raw.implementation) ?? 'unknown',
          executable: str(raw.executable) ?? '',
          prefix: str(raw.prefix) ?? '',
          base_prefix: str(raw.base_prefix) ?? '',
          venv: str(raw.venv),
          virtual_env: str(raw.virtual_env),
          conda_prefix: str(raw.conda_prefix),
          distributions: raw.distributions !== null && typeof raw.distributions === 'object' ? (raw.distributions as Record<string, string>) : null,
        };
        const paths = Array.isArray(raw.paths) ? raw.paths.filter((p): p is string => typeof p === 'string').slice(0, 100) : [];
        const stamps = paths.map((dir): [string, number] => [dir, mtime(dir)]);
        return { version: str(raw.version), python, stamps, ...(typeof raw.error === 'string' ? { error: raw.error } : {}) };
      } catch {
        return `python -c printed no JSON: ${lastLine(outcome.stdout).slice(0, MAX_VERSION_LENGTH) || 'no output'}`;
      }
    },
    unchanged,
  );
}
