import { createRequire } from 'node:module';
import type Picocolors from 'picocolors';

let picocolors: typeof Picocolors | undefined;

/**
 * picocolors is loaded on first use: most commands that succeed never colour anything, and
 * every module a command does not need adds to its start-up time.
 */
export function colors(enabled: boolean) {
  picocolors ??= createRequire(import.meta.url)('picocolors') as typeof Picocolors;
  const c = picocolors.createColors(enabled);
  return { red: c.red, dim: c.dim, bold: c.bold, cyan: c.cyan, green: c.green, yellow: c.yellow };
}
