import { relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { writeConfigSchemas } from '../../config-dir/schema-files.js';
import { TrellisError } from '../../errors/index.js';
import type { ConfigSchema } from '../../validate/validate.js';
import type { ParsedArgv } from '../../console/argv.js';
import type { CliIo } from '../io.js';

interface AppLike {
  options?: { schema?: ConfigSchema; configDir?: string; configName?: string };
}

export async function run(args: ParsedArgv, io: CliIo): Promise<number> {
  const appFile = typeof args.flags.app === 'string' ? args.flags.app : undefined;
  if (!appFile)
    throw new TrellisError('USAGE', 'trellis schema needs --app FILE: the compiled module that defines your app', {
      hint: 'e.g. trellis schema --app dist/examples/train.js',
    });
  const module = (await import(pathToFileURL(resolve(io.cwd, appFile)).href)) as Record<string, unknown>;
  const app = (Object.values(module).find((v) => (v as AppLike | null)?.options?.schema) ?? undefined) as AppLike | undefined;
  const schema = app?.options?.schema;
  if (!schema) {
    throw new TrellisError('USAGE', `${appFile} exports no app with a schema`, {
      hint: 'export the value of defineApp({ schema, … }, job), e.g. `export const app = defineApp(…)`',
    });
  }
  const configDir = typeof args.flags['config-dir'] === 'string' ? args.flags['config-dir'] : (app.options?.configDir ?? 'conf');
  const outDir = typeof args.flags.out === 'string' ? args.flags.out : 'schemas';
  const written = await writeConfigSchemas(schema, { configDir, configName: app.options?.configName ?? 'config', outDir, cwd: io.cwd });
  if (args.flags.format === 'json') {
    io.stdout(`${JSON.stringify({ files: written }, null, 2)}\n`);
    return 0;
  }
  for (const file of written) io.stdout(`wrote ${file}\n`);
  const example = relative(resolve(io.cwd, configDir, 'optimizer'), resolve(io.cwd, outDir, 'config.schema.json'));
  io.stdout(
    `\nAdd a first line like this to a YAML file so that editors using yaml-language-server check it:\n# yaml-language-server: $schema=${example.replace('config.schema.json', '<group>.schema.json')}\n`,
  );
  return 0;
}
