import { TrellisError } from '../errors/index.js';
import { parseCommandArgv } from '../console/argv.js';
import { reportError } from '../console/report-error.js';
import { trellisVersion } from '../console/versions.js';
import { commandHelp } from '../console/help.js';
import { mainHelp } from './help.js';
import { processIo, type CliIo } from './io.js';
import { COMMANDS, findCommand } from './options.js';
import { didYouMean } from '../errors/index.js';

/** Command modules load only when their command runs, to keep start-up fast. */
const LOADERS: Record<string, () => Promise<{ run: (args: ReturnType<typeof parseCommandArgv>, io: CliIo) => Promise<number> }>> = {
  compose: () => import('./commands/compose.js'),
  schema: () => import('./commands/schema.js'),
  sweep: () => import('./commands/sweep.js'),
  runs: () => import('./commands/runs.js'),
  explain: () => import('./commands/explain.js'),
  rerun: () => import('./commands/rerun.js'),
  export: () => import('./commands/export.js'),
  init: () => import('./commands/init.js'),
  import: () => import('./commands/import.js'),
  completion: () => import('./commands/completion.js'),
  ui: () => import('./commands/ui.js'),
};

export async function main(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  const [name, ...rest] = argv;
  const verbose = argv.includes('--verbose');
  try {
    if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
      io.stdout(`${mainHelp(trellisVersion())}\n`);
      return 0;
    }
    if (name === '--version' || name === '-v') {
      io.stdout(`${trellisVersion()}\n`);
      return 0;
    }
    // `run` parses its own arguments: those after `--` belong to the program.
    if (name === 'run') return await (await import('./commands/run.js')).main(rest, io);
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
