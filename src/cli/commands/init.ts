import { relative } from 'node:path';
import { flagText, type ParsedArgv } from '../../console/argv.js';
import { TrellisError } from '../../errors/index.js';
import { initProject } from '../../init/init-project.js';
import type { CliIo } from '../io.js';

/** `trellis init [DIR]`: a new project with a config directory, a TypeScript app and npm scripts. */
export async function run(args: ParsedArgv, io: CliIo): Promise<number> {
  const [dir = '.', ...rest] = args.overrides;
  if (rest.length) throw new TrellisError('USAGE', `trellis init takes one directory, got ${args.overrides.length}: ${args.overrides.join(' ')}`);
  const result = initProject(dir, { cwd: io.cwd, from: flagText(args.flags, 'from') });
  if (args.flags.format === 'json') {
    io.stdout(`${JSON.stringify(result, null, 2)}\n`);
    return 0;
  }
  const shown = relative(io.cwd, result.dir) || '.';
  io.stdout(`created ${result.name} in ${shown}/ (${result.files.length} files): ${result.files.join(', ')}\n`);
  io.stdout(`trellis comes from ${result.trellis} (change it with --from, or in package.json)\n\nnext:\n`);
  if (shown !== '.') io.stdout(`  cd ${shown}\n`);
  io.stdout('  npm install\n  npm start\n');
  return 0;
}
