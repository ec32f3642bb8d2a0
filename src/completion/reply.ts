import type { Candidate, Shell } from './candidates.js';
import type { SplitLine } from './line.js';

/** Bash's default COMP_WORDBREAKS: readline completes only the text after the last of these. */
const BASH_WORDBREAKS = '"\'><=;|&(:';

/**
 * What a shell's completion function reads from a query, one candidate a line. Pure.
 * - bash: a first line `nospace` or `space`, then the candidates with the text before the last
 *   word-break character of the word cut off (bash replaces only what follows it).
 * - zsh: `value<TAB>description<TAB>1|0` (1: the word goes on, no space after it).
 * - fish: `value<TAB>description`.
 */
export function formatReply(shell: Shell, candidates: readonly Candidate[], line: SplitLine, wordbreaks?: string): string {
  const clean = (s: string | undefined) => (s ?? '').replace(/[\t\n\r]+/g, ' ');
  if (shell === 'bash') {
    const cut = bashCut(line, wordbreaks ?? BASH_WORDBREAKS);
    const lines = candidates.filter((c) => c.value.startsWith(cut)).map((c) => c.value.slice(cut.length));
    const more = candidates.some((c) => c.more);
    return `${more ? 'nospace' : 'space'}\n${lines.map((l) => `${l}\n`).join('')}`;
  }
  if (shell === 'zsh') return candidates.map((c) => `${c.value}\t${clean(c.description)}\t${c.more ? 1 : 0}\n`).join('');
  return candidates.map((c) => `${c.value}${c.description ? `\t${clean(c.description)}` : ''}\n`).join('');
}

/**
 * The part of the word bash will not replace: up to the last word-break character outside
 * quotes. Inside an open quote bash completes the whole word.
 */
function bashCut(line: SplitLine, wordbreaks: string): string {
  if (line.openQuote || /['"\\]/.test(line.raw)) return '';
  let last = -1;
  for (let i = 0; i < line.raw.length; i++) if (wordbreaks.includes(line.raw[i]!) && line.raw[i] !== '"' && line.raw[i] !== "'") last = i;
  return line.raw.slice(0, last + 1);
}
