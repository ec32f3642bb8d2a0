import { mkdirSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname } from 'node:path';
import type { ParsedArgv } from '../../console/argv.js';
import { didYouMean, TrellisError } from '../../errors/index.js';
import { SHELLS, type Shell } from '../../completion/candidates.js';
import { installPlan } from '../../completion/install-path.js';
import { answerTrellisQuery } from '../../completion/query.js';
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
