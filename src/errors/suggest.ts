import { distance } from 'fastest-levenshtein';

/** The known names closest to `name`, best first; empty when nothing is close enough to help. */
export function closest(name: string, known: Iterable<string>, max = 3): string[] {
  const limit = Math.max(2, Math.floor(name.length / 3));
  const lower = name.toLowerCase();
  const scored: Array<[string, number]> = [];
  for (const candidate of known) {
    // The name itself is no suggestion (a key that exists but cannot be used as asked).
    if (candidate === name) continue;
    const d = distance(lower, candidate.toLowerCase());
    const prefix = candidate.toLowerCase().startsWith(lower) || lower.startsWith(candidate.toLowerCase());
    // A name no longer than the edits it takes shares nothing with the candidate ('a' → 'tag').
    const near = d <= limit && d < lower.length;
    if (near || (prefix && Math.min(lower.length, candidate.length) >= 3)) scored.push([candidate, d]);
  }
  scored.sort((a, b) => a[1] - b[1] || a[0].localeCompare(b[0]));
  return scored.slice(0, max).map(([c]) => c);
}

/** "did you mean a or b?" or undefined. */
export function didYouMean(name: string, known: Iterable<string>): string | undefined {
  const best = closest(name, known);
  if (!best.length) return undefined;
  return `did you mean ${best.map((b) => `'${b}'`).join(' or ')}?`;
}
