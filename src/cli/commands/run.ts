import { defaultIo, runJobCommand, type AppIo } from '../../app/app-main.js';
import { RUN_COMMAND } from '../../app/app-options.js';
import { checkProgram, commandKind, commandTemplate } from '../../app/command-kind.js';
import { parseCommandArgv } from '../../console/argv.js';
import { reportError } from '../../console/report-error.js';
import { TrellisError } from '../../errors/index.js';
import type { CliIo } from '../io.js';

/**
 * `trellis run [flags] [OVERRIDE…] -- COMMAND [ARG…]`: everything before `--` is an app's
 * command line, everything after it the program, which trellis never parses.
 */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  const appIo: AppIo = { ...defaultIo(), stdout: io.stdout, stderr: io.stderr, env: io.env, color: io.color };
  const split = argv.indexOf('--');
  const own = split < 0 ? [...argv] : argv.slice(0, split);
  try {
    const { flags } = parseCommandArgv(RUN_COMMAND, own);
    const template = commandTemplate(flags, split < 0 ? undefined : argv.slice(split + 1));
    const printsOnly = flags.help || flags.version || flags.cfg !== undefined || flags.info !== undefined;
    if (!template.length && !printsOnly) {
      throw new TrellisError('USAGE', 'trellis run needs the program to run, after --', {
        hint: "e.g. trellis run optimizer=sgd -- python train.py --lr '${optimizer.lr}'",
      });
    }
    if (!printsOnly) checkProgram(template[0]!, io.cwd, io.env);
    return await runJobCommand(await commandKind(template, flags, io.cwd), own, appIo);
  } catch (error) {
    return reportError(error, appIo, own.includes('--verbose'));
  }
}
