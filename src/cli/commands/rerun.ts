import { TrellisError } from '../../errors/index.js';
import { findRun } from '../../store/find-run.js';
import { displayPath } from '../../store/open-store.js';
import { NO_PAINT, renderDrift, renderVerification } from '../../store/render.js';
import { rerun } from '../../store/rerun.js';
import type { ParsedArgv } from '../../console/argv.js';
import { colors } from '../../console/colors.js';
import type { CliIo } from '../io.js';
import { shellQuote } from '../../util/shell-quote.js';

/**
 * `trellis rerun RUN [OVERRIDE…]`: reports drift, runs the recorded app again into a new run
 * directory (linked by `reproduces`), and with --verify compares the metrics. Exit code: the
 * app's when it fails, 1 when --verify finds different metrics, else 0.
 */
export async function run(args: ParsedArgv, io: CliIo): Promise<number> {
  const [ref, ...overrides] = args.overrides;
  if (!ref) throw new TrellisError('USAGE', 'usage: trellis rerun RUN [OVERRIDE…]', { hint: 'RUN is a run directory, a run id or a unique prefix of one' });
  const tolerance = Number(args.flags.tolerance ?? '1e-9');
  if (!Number.isFinite(tolerance) || tolerance < 0)
    throw new TrellisError('USAGE', `--tolerance must be a non-negative number, got '${String(args.flags.tolerance)}'`);
  const root = typeof args.flags.root === 'string' && args.flags.root ? [args.flags.root] : [];
  const found = findRun(ref, { cwd: io.cwd, roots: root });
  const paint = io.color ? colors(true) : NO_PAINT;
  io.stderr(`[trellis] rerun of ${displayPath(found.dir, io.cwd)}\n`);
  const result = await rerun(found, {
    overrides,
    env: io.env,
    stdio: 'inherit',
    dryRun: Boolean(args.flags['dry-run']),
    verify: Boolean(args.flags.verify),
    tolerance,
    projectDir: io.cwd,
    trust: Boolean(args.flags.trust),
    onPlan: ({ command, cwd, problems }) => {
      io.stderr(`[trellis] will run in ${displayPath(cwd, io.cwd)}: ${command.map(shellQuote).join(' ')}\n`);
      for (const problem of problems) io.stderr(`${paint.yellow('warning')}: ${problem}\n`);
    },
    onDrift: (report) => io.stderr(renderDrift(report, paint)),
  });
  if (result.exitCode === null) return 0;
  if (result.dir) io.stderr(`[trellis] new run: ${displayPath(result.dir, io.cwd)} (reproduces ${displayPath(found.dir, io.cwd)})\n`);
  if (result.exitCode !== 0) return result.exitCode;
  if (args.flags.verify) {
    if (!result.verification) {
      io.stderr('verify: the new run directory was not found (no run.json with "reproduces" pointing at the original)\n');
      return 1;
    }
    io.stdout(renderVerification(result.verification, paint));
    return result.verification.verdict === 'different' ? 1 : 0;
  }
  return 0;
}
