import { join } from 'node:path';
import type { Shell } from './candidates.js';

/** Where a shell looks for trellis's completion script, and what, if anything, must enable it. */
export interface InstallPlan {
  file: string;
  /** What to add to the shell's start-up file when the shell does not load `file` by itself. */
  enable: string;
}

/**
 * Each shell's per-user completion place: bash-completion's lazy-loaded directory, a directory
 * on zsh's fpath, fish's completions directory (loaded on first use). Pure: paths from `env`.
 */
export function installPlan(shell: Shell, env: NodeJS.ProcessEnv, home: string): InstallPlan {
  if (shell === 'bash') {
    const file = join(env.XDG_DATA_HOME || join(home, '.local', 'share'), 'bash-completion', 'completions', 'trellis');
    return { file, enable: `bash-completion (2.x) loads it when you first complete trellis; without bash-completion, add to ~/.bashrc:\n  source ${file}` };
  }
  if (shell === 'zsh') {
    const dir = join(env.ZDOTDIR || home, '.zfunc');
    return {
      file: join(dir, '_trellis'),
      enable: `add to ~/.zshrc, before compinit (once):\n  fpath=(${dir} $fpath)\n  autoload -Uz compinit && compinit`,
    };
  }
  return {
    file: join(env.XDG_CONFIG_HOME || join(home, '.config'), 'fish', 'completions', 'trellis.fish'),
    enable: 'fish loads it when you first complete trellis',
  };
}
