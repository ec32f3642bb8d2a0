import { didYouMean, TrellisError } from '../../errors/index.js';
import { flagText, type ParsedArgv } from '../../console/argv.js';
import { displayPath } from '../../store/open-store.js';
import type { CliIo } from '../io.js';
import { EXIT_CODES } from '../../records/exit-codes.js';
import type { InterruptSignal } from '../../job/interrupts.js';

const SOURCES = ['hydra'] as const;

function jobsOf(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 1)
    throw new TrellisError('USAGE', `--jobs must be a whole number of at least 1, got '${value}'`, { hint: 'e.g. --jobs 2' });
  return n;
}

/** An import stopped by a signal: every run it did is whole, and running it again does the rest. */
function stopped(signal: InterruptSignal, done: number, total: number, io: CliIo): number {
  io.stderr(`import stopped by ${signal} after ${done} of ${total} runs; run the same command again to import the rest\n`);
  return EXIT_CODES[signal];
}

/** `trellis import hydra PATH…`: Hydra's run folders as trellis runs. */
export async function run(args: ParsedArgv, io: CliIo): Promise<number> {
  const [source, ...paths] = args.overrides;
  if (source !== 'hydra') {
    throw new TrellisError('USAGE', source ? `Unknown import source '${source}'` : 'usage: trellis import hydra PATH…', {
      hint: (source && didYouMean(source, SOURCES)) || 'e.g. trellis import hydra outputs multirun',
    });
  }
  if (!paths.length) throw new TrellisError('USAGE', 'usage: trellis import hydra PATH…', { hint: 'e.g. trellis import hydra outputs multirun' });
  const jobs = jobsOf(flagText(args.flags, 'jobs'));
  const { importHydraRunsInParallel } = await import('../../bridges/hydra/import-parallel.js');
  const into = flagText(args.flags, 'into') ?? 'outputs/hydra';
  const { runs, total, interrupted } = await importHydraRunsInParallel(paths, { cwd: io.cwd, into }, jobs);
  const count = (a: string) => runs.filter((r) => r.action === a).length;
  if (args.flags.format === 'json') {
    const rows = runs.map((r) => ({
      id: r.id,
      action: r.action,
      hydra_dir: displayPath(r.hydraDir, io.cwd),
      dir: displayPath(r.dir, io.cwd),
      sweep_job: r.sweep,
    }));
    io.stdout(`${JSON.stringify({ into, runs: rows, ...(interrupted && { interrupted, total }) }, null, 2)}\n`);
    return interrupted ? stopped(interrupted, runs.length, total, io) : 0;
  }
  for (const r of runs) if (r.action !== 'unchanged') io.stdout(`${r.action.padEnd(8)}  ${r.id}  ${displayPath(r.hydraDir, io.cwd)}\n`);
  io.stdout(`${count('imported')} imported, ${count('updated')} updated, ${count('unchanged')} unchanged; records in ${into}\n`);
  io.stdout('list them with: trellis runs list tags = hydra\n');
  return interrupted ? stopped(interrupted, runs.length, total, io) : 0;
}
