/**
 * Python's fnmatch.fnmatchcase (POSIX: case-sensitive), which Hydra's glob() sweep uses to
 * pick options: `*`, `?`, `[seq]`, `[!seq]`; a `[` without a closing `]` is literal.
 */
function translate(pattern: string): RegExp {
  let re = '';
  let i = 0;
  const n = pattern.length;
  while (i < n) {
    const c = pattern[i++] as string;
    if (c === '*') re += '[\\s\\S]*';
    else if (c === '?') re += '[\\s\\S]';
    else if (c === '[') {
      let j = i;
      if (pattern[j] === '!') j++;
      if (pattern[j] === ']') j++;
      while (j < n && pattern[j] !== ']') j++;
      if (j >= n) re += '\\[';
      else {
        let body = pattern.slice(i, j);
        i = j + 1;
        const negate = body.startsWith('!');
        if (negate) body = body.slice(1);
        // Escape what is special inside a JS class; keep ranges (a-z) working.
        const escaped = body.replace(/[\\\]^[]/g, (m) => `\\${m}`);
        re += negate ? `[^${escaped}]` : `[${escaped}]`;
      }
    } else re += c.replace(/[.*+?^${}()|[\]\\/]/g, (m) => `\\${m}`);
  }
  return new RegExp(`^(?:${re})$`, 'u');
}

export function fnmatch(name: string, pattern: string): boolean {
  try {
    return translate(pattern).test(name);
  } catch {
    // A character class JS rejects (e.g. a reversed range z-a) matches nothing, as in Python.
    return false;
  }
}

/** Hydra's Glob.filter: names matching an include pattern and no exclude pattern, in order. */
export function filterGlob(names: readonly string[], include: readonly string[], exclude: readonly string[]): string[] {
  return names.filter((name) => include.some((g) => fnmatch(name, g)) && !exclude.some((g) => fnmatch(name, g)));
}
