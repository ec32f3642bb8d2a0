import { parsePythonInt } from '../util/python.js';

/**
 * OmegaConf's `split_key`: `a.b[c].d` → `['a', 'b', 'c', 'd']`. An interpolation path is first
 * rebuilt as text (nested interpolations included) and then split by this, so a nested result
 * like `.options` or `a.b` changes the path exactly as it does in OmegaConf.
 */
export function splitKey(key: string): string[] {
  // Head: leading dots then anything but '.' or '['.
  const head = /^\.*[^.[]*/.exec(key)?.[0] ?? '';
  const tokens = head.split('.');
  if (head.length === key.length) return tokens;
  if (key[head.length] === '[' && tokens[tokens.length - 1] === '') tokens.pop();
  // Others: `.x` or `[x]`; like Python's findall, characters matching neither are skipped.
  for (const m of key.slice(head.length).matchAll(/\.([^.[]*)|\[(.*?)\]/g)) tokens.push(m[1] || m[2] || '');
  return tokens;
}

/** A list index as OmegaConf reads it, with Python's `int(text)`. */
export function pythonIndex(text: string): number | undefined {
  const n = parsePythonInt(text);
  return n === undefined ? undefined : Number(n);
}
