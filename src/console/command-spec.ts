/**
 * One table drives argument parsing and help text for every command (trellis's own and an
 * app's), so the two cannot drift.
 */
export interface OptionSpec {
  name: string;
  alias?: string[];
  type: 'string' | 'boolean';
  description: string;
  values?: readonly string[];
  default?: string | boolean;
  /** Placeholder shown in help: --config-dir DIR. */
  arg?: string;
  /** Parsed, never shown in help: for trellis's own processes. */
  hidden?: boolean;
}

export interface CommandSpec {
  name: string;
  summary: string;
  usage: string;
  options: OptionSpec[];
  /** Takes overrides (key=value …) as positional arguments. */
  takesOverrides: boolean;
  examples: string[];
}

export const GLOBAL_OPTIONS: OptionSpec[] = [
  { name: 'help', alias: ['h'], type: 'boolean', description: 'show help for the command' },
  { name: 'verbose', type: 'boolean', description: 'on errors, also print the cause chain' },
  { name: 'version', type: 'boolean', description: 'print the version (an app prints its own and trellis’s)' },
];
