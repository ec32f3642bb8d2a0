import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TrellisError } from '../errors/index.js';
import { parseCommandArgv } from '../console/argv.js';
import { reportError } from '../console/report-error.js';
import { commandHelp } from '../console/help.js';
import { mainHelp } from './help.js';
import { processIo, type CliIo } from './io.js';
import { COMMANDS, findCommand } from './options.js';
import { didYouMean } from '../errors/index.js';

/** trellis's version, from the package.json above this file (bundled or not). */
function version(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++, dir = dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'trellis') return pkg.version ?? '0.0.0';
    } catch {
      // not here: look one directory up
    }
  }
  return '0.0.0';
}

/** Command modules load only when their command runs, to keep start-up fast. */
const LOADERS: Record<string, () => Promise<{ run: (args: ReturnType<typeof parseCommandArgv>, io: CliIo) => Promise<number> }>> = {
  compose: () => import('./commands/compose.js'),
  schema: () => import('./commands/schema.js'),
  sweep: () => import('./commands/sweep.js'),
  runs: () => import('./commands/runs.js'),
  explain: () => import('./commands/explain.js'),
  rerun: () => import('./commands/rerun.js'),
};

export async function main(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  const [name, ...rest] = argv;
  const verbose = argv.includes('--verbose');
  try {
    if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
      io.stdout(`${mainHelp(version())}\n`);
      return 0;
    }
    if (name === '--version' || name === '-v') {
      io.stdout(`${version()}\n`);
      return 0;
    }
    const spec = findCommand(name);
    const loader = LOADERS[name];
    if (!spec || !loader) {
      throw new TrellisError('USAGE', `Unknown command '${name}'`, {
        hint:
          didYouMean(
            name,
            COMMANDS.map((c) => c.name),
          ) ?? `commands: ${COMMANDS.map((c) => c.name).join(', ')}`,
      });
    }
    const parsed = parseCommandArgv(spec, rest);
    if (parsed.flags.help) {
      io.stdout(`${commandHelp(spec)}\n`);
      return 0;
    }
    const command = await loader();
    return await command.run(parsed, io);
  } catch (error) {
    return reportError(error, io, verbose);
  }
}
