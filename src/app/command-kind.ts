import { isAbsolute, resolve as resolvePath } from 'node:path';
import { pathToFileURL } from 'node:url';
import { flagText } from '../console/argv.js';
import { trellisBin, trellisVersion } from '../console/versions.js';
import { TrellisError } from '../errors/index.js';
import { createDefaultResolvers } from '../interpolate/index.js';
import { commandJobName, interpolateCommand } from '../job/command-args.js';
import { CommandJobRunner, type CommandJob } from '../job/command-runner.js';
import type { PreparedJob } from '../job/prepare.js';
import { findOnPath, isExecutableFile } from '../util/find-on-path.js';
import { commandJobFlags, type CommandRecord } from '../records/run-record.js';
import type { ConfigSchema } from '../validate/validate.js';
import type { JobKind } from './app-main.js';
import { RUN_COMMAND } from './app-options.js';
import type { Flags } from './sweep-options.js';

const MAX_TIMER_MS = 2 ** 31 - 1;

function seconds(flags: Flags, name: string): number | undefined {
  const text = flagText(flags, name);
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isFinite(n) || n < 0) throw new TrellisError('USAGE', `--${name} must be a number of seconds, got '${text}'`, { hint: `e.g. --${name} 30` });
  // Node's timers hold at most 2^31 - 1 ms; a longer one would fire at once.
  if (n * 1000 > MAX_TIMER_MS) {
    throw new TrellisError('USAGE', `--${name} ${text} is longer than trellis can wait (${Math.floor(MAX_TIMER_MS / 1000)} s, about 24 days)`, {
      hint: name === 'timeout' ? 'leave --timeout out for no time limit' : `give at most --${name} ${Math.floor(MAX_TIMER_MS / 1000)}`,
    });
  }
  return n;
}

/** The command of `trellis run`: after `--`, or from --command-json (a launcher's process). */
export function commandTemplate(flags: Flags, afterDashes: readonly string[] | undefined): string[] {
  if (afterDashes) return [...afterDashes];
  const json = flagText(flags, 'command-json');
  if (json === undefined) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    parsed = undefined;
  }
  if (!Array.isArray(parsed) || !parsed.every((a) => typeof a === 'string')) {
    throw new TrellisError('USAGE', `--command-json must be a JSON array of strings, got '${json}'`);
  }
  return parsed;
}

/**
 * A program as a job (`trellis run … -- COMMAND`): composed, validated, swept, launched and
 * recorded like an app's job; the program gets its config through its environment.
 */
export async function commandKind(template: string[], flags: Flags, cwd: string): Promise<JobKind> {
  const schemaRef = flagText(flags, 'schema');
  const schema = schemaRef ? await loadSchema(schemaRef, cwd) : undefined;
  const killAfter = seconds(flags, 'kill-after') ?? 10;
  const timeout = seconds(flags, 'timeout');
  const passOverrides = flags['pass-overrides'] === true;
  const resolvers = createDefaultResolvers();
  const args = (prepared: PreparedJob, outputDir: string) =>
    interpolateCommand(template, {
      resolved: prepared.resolved,
      runtime: prepared.runtime,
      outputDir,
      cwd,
      env: prepared.env,
      now: prepared.now,
      resolvers,
      overrides: prepared.overrides,
      passOverrides,
    });
  const job: CommandJob = {
    args,
    killAfterMs: killAfter * 1000,
    timeoutMs: timeout === undefined ? undefined : timeout * 1000,
    seedNames: (flagText(flags, 'seeds') ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  };
  const name = flagText(flags, 'name') ?? commandJobName(template);
  const recorded = (args: string[]): CommandRecord => ({
    template,
    args,
    pass_overrides: passOverrides,
    schema: schemaRef ?? null,
    kill_after_s: killAfter,
    timeout_s: timeout ?? null,
    seeds: job.seedNames,
  });
  return {
    spec: RUN_COMMAND,
    async source(given, env) {
      const configDir = flagText(given, 'config-dir') ?? flagText(given, 'config-path') ?? 'conf';
      const configName = flagText(given, 'config-name') ?? 'config';
      return {
        configDir,
        configName,
        cwd,
        env,
        schema,
        resolvers,
        name,
        // A bad ${…} in the command stops the job (or the sweep) before anything runs.
        checkJob: template.length ? (prepared) => void args(prepared, prepared.runDir) : undefined,
      };
    },
    runner: (io, output) => new CommandJobRunner(job, { output, warn: (line) => io.stderr(`${line}\n`) }),
    entry: trellisBin(),
    childArgs: (source) => ['run', '--config-dir', source.configDir, '--config-name', source.configName, ...commandJobFlags(recorded([]), name)],
    record: ({ prepared, dir }) => {
      let ran: string[];
      try {
        ran = args(prepared, dir);
      } catch {
        ran = [...template];
      }
      return { command: recorded(ran) };
    },
    version: () => `trellis ${trellisVersion()}`,
  };
}

/** The program a command starts, found as the shell would; a clear error before anything runs when it is not there. */
export function checkProgram(program: string, cwd: string, env: NodeJS.ProcessEnv): void {
  if (program === '') {
    throw new TrellisError('USAGE', "The command's program is an empty string", {
      hint: 'the word after -- names the program; an unset shell variable ("$PY") gives an empty one',
    });
  }
  if (program.includes('${')) return;
  if (program.includes('/') ? isExecutableFile(resolvePath(cwd, program)) : findOnPath(program, env) !== undefined) return;
  throw new TrellisError('USAGE', `Command not found: '${program}'`, {
    hint: program.includes('/')
      ? 'check the path, and that the file is executable (chmod +x)'
      : `'${program}' is on no directory of PATH; give its path, e.g. ./${program}`,
  });
}

/** `--schema MODULE[:EXPORT]`: a zod schema from a module of the user's project. */
async function loadSchema(ref: string, cwd: string): Promise<ConfigSchema> {
  const colon = ref.lastIndexOf(':');
  const [file, exportName] = colon > 0 && !/[\\/]/.test(ref.slice(colon + 1)) ? [ref.slice(0, colon), ref.slice(colon + 1)] : [ref, undefined];
  const path = isAbsolute(file) ? file : resolvePath(cwd, file);
  let module: Record<string, unknown>;
  try {
    module = (await import(pathToFileURL(path).href)) as Record<string, unknown>;
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    throw new TrellisError('USAGE', `--schema ${ref}: cannot import ${file}${code ? ` (${code})` : ''}`, {
      cause,
      hint: file.endsWith('.ts')
        ? 'compile it to JavaScript first, or run trellis with node --experimental-strip-types (Node ≥ 22.6)'
        : 'give a JavaScript module relative to the working directory, e.g. --schema ./schema.mjs',
    });
  }
  const names = exportName ? [exportName] : ['schema', 'default'];
  const found = names.map((n) => module[n]).find((v) => v !== undefined);
  if (!found || typeof (found as { safeParse?: unknown }).safeParse !== 'function') {
    const exported = Object.keys(module).join(', ') || 'nothing';
    throw new TrellisError(
      'USAGE',
      `--schema ${ref}: ${exportName ? `export '${exportName}' is not a zod schema` : "neither export 'schema' nor the default export is a zod schema"}`,
      {
        hint: `the module exports: ${exported}; name the export with ${file}:NAME`,
      },
    );
  }
  return found as ConfigSchema;
}
