import { mkdirSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { spawn } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import type { ParsedArgv } from '../../console/argv.js';
import { didYouMean, TrellisError } from '../../errors/index.js';
import { SHELLS, type Shell } from '../../completion/candidates.js';
import { installPlan } from '../../completion/install-path.js';
import { answerAppQuery, answerTrellisQuery } from '../../completion/query.js';
import { appManifestFile, readAppManifest } from '../../completion/app-manifest.js';
import { APP_COMMAND } from '../../app/app-options.js';
import { completionScript } from '../../completion/scripts.js';
import { COMMANDS } from '../options.js';
import type { CliIo } from '../io.js';

/** `trellis completion bash|zsh|fish [--install]`; with the hidden --query, one TAB's candidates. */
export async function run(args: ParsedArgv, io: CliIo): Promise<number> {
  const [shell, ...rest] = args.overrides;
  if (!shell || !(SHELLS as readonly string[]).includes(shell) || rest.length) {
    const wrong = shell && !(SHELLS as readonly string[]).includes(shell) ? shell : rest[0];
    throw new TrellisError('USAGE', wrong ? `'trellis completion' does not know '${wrong}'` : 'trellis completion needs a shell: bash, zsh or fish', {
      hint: (wrong && didYouMean(wrong, SHELLS)) || 'usage: trellis completion bash|zsh|fish [--install]',
    });
  }
  const which = shell as Shell;
  if (args.flags.query && typeof args.flags.app === 'string') {
    io.stdout(await answerAppTab(which, args.flags.app, io));
    return 0;
  }
  if (args.flags.query) {
    io.stdout(await answerTrellisQuery(COMMANDS, { shell: which, env: io.env, cwd: io.cwd, configDir: 'conf', configName: 'config' }));
    return 0;
  }
  const script = completionScript(which, { kind: 'trellis' });
  if (!args.flags.install) {
    io.stdout(script);
    return 0;
  }
  const plan = installPlan(which, io.env, io.env.HOME || homedir());
  try {
    mkdirSync(dirname(plan.file), { recursive: true });
    writeFileSync(plan.file, script);
  } catch (error) {
    throw new TrellisError('USAGE', `Could not write the ${which} completion script to ${plan.file}`, {
      cause: error,
      hint: `print it instead and put it where ${which} reads it: trellis completion ${which} > FILE`,
    });
  }
  io.stdout(`wrote ${plan.file}\n${plan.enable}\nthen open a new shell.\n`);
  return 0;
}

/** A manifest older than this is refreshed after the TAB is answered (a schema module may have changed). */
const MANIFEST_REFRESH_MS = 60_000;

/**
 * One TAB of an app's line, from what the app recorded at its last query (config location and
 * schema): no import of the app. Without a current record the app answers itself, and records.
 */
async function answerAppTab(shell: Shell, script: string, io: CliIo): Promise<string> {
  const path = resolve(io.cwd, script);
  const manifestFile = appManifestFile(path, io.cwd, io.env);
  const manifest = readAppManifest(manifestFile, path, io.cwd);
  const askApp = (detached: boolean) =>
    spawn(process.execPath, [path, '--shell-completion', `query=${shell}`], {
      cwd: io.cwd,
      env: io.env,
      stdio: detached ? 'ignore' : ['ignore', 'pipe', 'ignore'],
      detached,
    });
  if (!manifest) {
    const child = askApp(false);
    let out = '';
    child.stdout?.setEncoding('utf8').on('data', (text: string) => (out += text));
    await new Promise((done) => child.on('close', done));
    return out;
  }
  if (Date.now() - manifest.written > MANIFEST_REFRESH_MS) askApp(true).unref();
  const schema = manifest.schema ?? undefined;
  return answerAppQuery(APP_COMMAND, { shell, env: io.env, cwd: io.cwd, configDir: manifest.configDir, configName: manifest.configName, schema: () => schema });
}
