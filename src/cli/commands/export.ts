import { didYouMean, TrellisError } from '../../errors/index.js';
import type { ParsedArgv } from '../../console/argv.js';
import type { CliIo } from '../io.js';

const TARGETS = ['tensorboard', 'mlflow'] as const;

/** `trellis export tensorboard|mlflow [ROOT…] [QUERY] …`: the first word picks the target, whose module loads only then. */
export async function run(parsed: ParsedArgv, io: CliIo): Promise<number> {
  const [target, ...rest] = parsed.overrides;
  const forTarget = { flags: parsed.flags, overrides: rest };
  if (target === 'tensorboard') return (await import('../../bridges/tensorboard/export-command.js')).runTensorboardExport(forTarget, io);
  if (target === 'mlflow') return (await import('../../bridges/mlflow/export-command.js')).runMlflowExport(forTarget, io);
  throw new TrellisError('USAGE', target === undefined ? 'trellis export needs a target: tensorboard or mlflow' : `Unknown export target '${target}'`, {
    hint: (target !== undefined ? didYouMean(target, TARGETS) : undefined) ?? `targets: ${TARGETS.join(', ')}; see 'trellis export --help'`,
  });
}
