import { optionLines } from '../console/help.js';
import { COMMANDS, GLOBAL_OPTIONS } from './options.js';

export function mainHelp(version: string): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    `trellis ${version}: compose Hydra-style configs, run recorded experiments`,
    '',
    'usage: trellis <command> [options] [OVERRIDE…]',
    '',
    'commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'options:',
    ...optionLines(GLOBAL_OPTIONS),
    '',
    "Run 'trellis <command> --help' for a command's options.",
  ].join('\n');
}
