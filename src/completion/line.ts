/** A command line up to the cursor, split into words the way a POSIX shell reads them. */
export interface SplitLine {
  /** The complete words before the one being typed (quotes removed). */
  words: string[];
  /** The word being typed, quotes removed ('' after a space). */
  current: string;
  /** The current word as typed (quotes and backslashes kept). */
  raw: string;
  /** The quote left open in the current word, if any. */
  openQuote: "'" | '"' | undefined;
}

/**
 * Splits `text` (the line before the cursor) into words: quotes and backslashes as a shell reads
 * them, so `'lr=ra` is the word `lr=ra` with a quote open. Pure.
 */
export function splitLine(text: string): SplitLine {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quote: "'" | '"' | undefined;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote) {
      if (c === quote) quote = undefined;
      else if (c === '\\' && quote === '"' && i + 1 < text.length && '"\\$`'.includes(text[i + 1]!)) word += text[++i];
      else word += c;
    } else if (c === "'" || c === '"') {
      quote = c;
      inWord = true;
    } else if (c === '\\' && i + 1 < text.length) {
      word += text[++i];
      inWord = true;
    } else if (c === ' ' || c === '\t' || c === '\n') {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
      start = i + 1;
    } else {
      word += c;
      inWord = true;
    }
  }
  return { words, current: word, raw: text.slice(start), openQuote: quote };
}
