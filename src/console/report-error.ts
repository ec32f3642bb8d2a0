import { formatError, TrellisError } from '../errors/index.js';
import { EXIT_CODES } from '../records/exit-codes.js';
import { colors } from './colors.js';

/**
 * Prints an error that ended a command (never a bare stack: `--verbose` adds the cause chain and,
 * for a bug, the stack) and returns the exit code it means.
 */
export function reportError(error: unknown, io: { stderr: (text: string) => void; color: boolean }, verbose: boolean): number {
  const c = colors(io.color);
  if (error instanceof TrellisError) {
    io.stderr(`${formatError(error, { verbose, color: c })}\n`);
    return error.code === 'USAGE' ? EXIT_CODES.usage : error.code === 'RUN_IO' ? EXIT_CODES.recordsIo : EXIT_CODES.failed;
  }
  io.stderr(`${c.red('INTERNAL')} ${error instanceof Error ? error.message : String(error)}\n`);
  if (verbose && error instanceof Error && error.stack) io.stderr(`${error.stack}\n`);
  else io.stderr('hint: run again with --verbose for details, and report it as a trellis bug\n');
  return EXIT_CODES.internal;
}
