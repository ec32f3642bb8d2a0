import { TrellisError } from '../../errors/index.js';
import { explainKey } from '../../store/explain-key.js';
import { findRun } from '../../store/find-run.js';
import { displayPath } from '../../store/open-store.js';
import { NO_PAINT, renderExplanation } from '../../store/render.js';
import type { ParsedArgv } from '../../console/argv.js';
import { colors } from '../../console/colors.js';
import type { CliIo } from '../io.js';

/** `trellis explain RUN KEY`: a config value of a past run and the chain that produced it. */
export async function run(args: ParsedArgv, io: CliIo): Promise<number> {
  const [ref, key, ...rest] = args.overrides;
  if (!ref || !key || rest.length) {
    throw new TrellisError('USAGE', 'usage: trellis explain RUN KEY', { hint: 'e.g. trellis explain outputs/2026-11-23/10-15-02 model.features' });
  }
  const root = typeof args.flags.root === 'string' && args.flags.root ? [args.flags.root] : [];
  const found = findRun(ref, { cwd: io.cwd, roots: root });
  const explanation = explainKey(found, key);
  const dir = displayPath(found.dir, io.cwd);
  if (args.flags.format === 'json') io.stdout(`${JSON.stringify({ ...explanation, run: { ...explanation.run, dir } }, null, 2)}\n`);
  else io.stdout(renderExplanation(explanation, dir, io.color && process.stdout.isTTY ? colors(true) : NO_PAINT));
  return 0;
}
