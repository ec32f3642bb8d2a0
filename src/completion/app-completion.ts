import { basename, resolve } from 'node:path';
import { appManifestFile, writeAppManifest } from './app-manifest.js';
import type { CommandSpec } from '../console/command-spec.js';
import { TrellisError } from '../errors/index.js';
import type { ConfigSchema } from '../validate/validate.js';
import { SHELLS, type Shell } from './candidates.js';
import { answerAppQuery } from './query.js';
import type { JsonSchema } from './schema-hints.js';
import { completionScript } from './scripts.js';

export interface AppCompletionSource {
  spec: CommandSpec;
  configDir: string;
  configName: string;
  cwd: string;
  schema?: ConfigSchema | undefined;
  /** The app's script (process.argv[1]): its name is what the shell completes. */
  entry: string | undefined;
}

/**
 * Hydra's `--shell-completion install=SHELL` (print the script to eval), `uninstall=SHELL` and
 * `query=SHELL` (one TAB: candidates for the line in COMP_LINE).
 */
export async function answerShellCompletion(
  request: string,
  app: AppCompletionSource,
  io: { stdout: (t: string) => void; env: NodeJS.ProcessEnv },
): Promise<number> {
  const match = /^(install|uninstall|query)=(\w+)$/.exec(request);
  if (!match || !(SHELLS as readonly string[]).includes(match[2]!)) {
    throw new TrellisError('USAGE', `--shell-completion ${request}: expected install=SHELL, uninstall=SHELL or query=SHELL`, {
      hint: `SHELL is bash, zsh or fish, e.g. eval "$(node ${app.entry ? basename(app.entry) : 'app.js'} --shell-completion install=bash)"`,
    });
  }
  const [, action, shell] = match as unknown as [string, 'install' | 'uninstall' | 'query', Shell];
  const name = basename(app.entry ?? 'app.js');
  if (action === 'install') {
    // Later TABs go to trellis's CLI, which answers from what this process records below.
    const { trellisBin } = await import('../console/versions.js');
    io.stdout(completionScript(shell, { kind: 'app', name, trellisBin: trellisBin() }));
  } else if (action === 'uninstall') io.stdout(uninstallScript(shell, name));
  else {
    const schema = app.schema ? await jsonSchemaOf(app.schema) : undefined;
    io.stdout(await answerAppQuery(app.spec, { shell, env: io.env, cwd: app.cwd, configDir: app.configDir, configName: app.configName, schema: () => schema }));
    if (app.entry) {
      const script = resolve(app.cwd, app.entry);
      writeAppManifest(appManifestFile(script, app.cwd, io.env), {
        script,
        cwd: app.cwd,
        configDir: app.configDir,
        configName: app.configName,
        schema: schema ?? null,
      });
    }
  }
  return 0;
}

function uninstallScript(shell: Shell, name: string): string {
  if (shell === 'fish') return `complete -e -c node\ncomplete -e -c ${name}\n`;
  if (shell === 'zsh') return `compdef -d node ${name}\n`;
  return `complete -r node ${name}\n`;
}

/** The schema as JSON Schema, for descriptions and enum values; none when zod cannot express it. */
async function jsonSchemaOf(schema: ConfigSchema): Promise<JsonSchema | undefined> {
  try {
    const { z } = await import('zod');
    return z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  } catch {
    return undefined;
  }
}
