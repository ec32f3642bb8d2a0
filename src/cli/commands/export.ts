import { didYouMean, TrellisError } from '../../errors/index.js';
import type { ParsedArgv } from '../../console/argv.js';
import type { CliIo } from '../io.js';

const TARGETS = ['tensorboard', 'mlflow'] as const;

/** The MLflow exporter ships in its own module; a build without it says so instead of failing to load. */
const MLFLOW_MODULE = '../../bridges/mlflow/export-command.js';

type Exporter = (parsed: ParsedArgv, io: CliIo) => Promise<number>;

async function mlflowExporter(): Promise<Exporter> {
  try {
    const mod = (await import(MLFLOW_MODULE)) as { runMlflowExport: Exporter };
    return mod.runMlflowExport;
  } catch (cause) {
    throw new TrellisError('USAGE', 'trellis export mlflow is not available in this build', {
      hint: 'export to TensorBoard instead (trellis export tensorboard --to DIR); MLflow reads no TensorBoard files, but W&B and Aim do',
      cause,
    });
  }
}

/** `trellis export tensorboard|mlflow [ROOT…] [QUERY] --to DIR`: the first word picks the target, the rest belong to it. */
export async function run(parsed: ParsedArgv, io: CliIo): Promise<number> {
  const [target, ...rest] = parsed.overrides;
  const forTarget = { flags: parsed.flags, overrides: rest };
  if (target === 'tensorboard') return (await import('../../bridges/tensorboard/export-command.js')).runTensorboardExport(forTarget, io);
  if (target === 'mlflow') return (await mlflowExporter())(forTarget, io);
  throw new TrellisError('USAGE', target === undefined ? 'trellis export needs a target: tensorboard or mlflow' : `Unknown export target '${target}'`, {
    hint: (target !== undefined ? didYouMean(target, TARGETS) : undefined) ?? `targets: ${TARGETS.join(', ')}; see 'trellis export --help'`,
  });
}
