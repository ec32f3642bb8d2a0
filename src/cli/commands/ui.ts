import type { ParsedArgv } from '../../console/argv.js';
import { TrellisError } from '../../errors/index.js';
import type { CliIo } from '../io.js';

function portOf(value: unknown): number {
  if (value === undefined || value === '') return 0;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 0 || n > 65535) throw new TrellisError('USAGE', `--port must be a port number (0-65535), got '${String(value)}'`);
  return n;
}

/**
 * `trellis ui [ROOT…]`: serves the page until Ctrl-C (or SIGTERM), then closes the server and
 * returns. Nothing is kept but what the run directories hold.
 */
export async function run(args: ParsedArgv, io: CliIo): Promise<number> {
  const { startUiServer } = await import('../../ui/server.js');
  const { isLoopback } = await import('../../ui/security.js');
  const host = typeof args.flags.host === 'string' && args.flags.host !== '' ? args.flags.host : '127.0.0.1';
  const server = await startUiServer({ roots: args.overrides, cwd: io.cwd, host, port: portOf(args.flags.port) }).catch((e: unknown) => {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND')
      throw new TrellisError('USAGE', `Cannot listen on ${host}:${String(args.flags.port ?? 0)} (${code})`, {
        hint: code === 'EADDRINUSE' ? 'choose another --port, or 0 for any free one' : 'check --host and --port',
        cause: e,
      });
    throw e;
  });
  if (!isLoopback(host)) {
    io.stderr(`warning: listening on ${host}, not only on this machine: anyone who can reach it and has the URL with its token can read your runs\n`);
  }
  io.stdout(`trellis ui: ${server.url}\n`);
  if (args.flags.open) {
    const { default: open } = await import('open');
    await open(server.url).catch((e: unknown) => io.stderr(`could not open a browser (${e instanceof Error ? e.message : String(e)}); open the URL above\n`));
  }
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
  await server.close();
  io.stderr(`trellis ui stopped (${signal})\n`);
  return 0;
}
