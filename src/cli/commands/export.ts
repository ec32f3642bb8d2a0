import { TrellisError, didYouMean } from '../../errors/index.js';
import type { ParsedArgv } from '../../console/argv.js';
import type { CliIo } from '../io.js';

const TARGETS = ['mlflow'] as const;

/** `trellis export TARGET …`: each target's module loads only when asked for. */
export async function run(args: ParsedArgv, io: CliIo): Promise<number> {
  const target = args.overrides[0];
  if (target === 'mlflow') return (await import('../../bridges/mlflow/export-command.js')).runMlflowExport(args, io);
  throw new TrellisError('USAGE', target ? `Unknown export target '${target}'` : 'usage: trellis export mlflow [QUERY] …', {
    hint: (target && didYouMean(target, TARGETS)) || `targets: ${TARGETS.join(', ')}`,
  });
}
