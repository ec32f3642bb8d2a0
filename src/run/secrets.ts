import { createHash } from 'node:crypto';
/** What every redacted secret is replaced with. */
export const REDACTED = '***';

/** Shorter values are not redacted inside text: replacing every "1" or "yes" would shred it. */
const MIN_SECRET_LENGTH = 4;

/**
 * Names that hold secrets, matched on the upper-cased name after splitting camelCase
 * (`apiKey` → `API_KEY`), so env vars and config keys follow one rule:
 * - anywhere: SECRET, PASSWORD, PASSWD, PASSPHRASE, CREDENTIAL, PRIVATE;
 * - TOKEN, except TOKENIZER/TOKENIZATION (`TOKENIZERS_PARALLELISM` is a common ML setting);
 * - KEY or KEYS not followed by a letter: API_KEY, APIKEY, KEY_ID, but not KEYBOARD, KEYMAP,
 *   KEYRING (a word that merely ends in KEY, like MONKEY, is redacted: the safe mistake);
 * - AUTH at the start of a word but not AUTHOR (`_AUTH`, `NPM_CONFIG__AUTH`, not `GIT_AUTHOR_NAME`);
 * - PASS as a whole word (`DB_PASS`, not `PASSTHROUGH`);
 * - the AWS_ prefix.
 */
const SECRET_NAME =
  /SECRET|PASSWORD|PASSWD|PASSPHRASE|CREDENTIAL|PRIVATE|TOKEN(?!IZ)|KEYS?(?![A-Z])|^AWS_|(?:^|[^A-Z0-9])AUTH(?!OR)|(?:^|[^A-Z0-9])PASS(?![A-Z0-9])/;

export function isSecretName(name: string): boolean {
  return SECRET_NAME.test(name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase());
}

/**
 * Replaces every occurrence of each secret value (of at least 4 characters) by `***`.
 * Longer values go first, so a secret that contains another is removed whole.
 */
export function redactText(text: string, secretValues: Iterable<string>): string {
  return redactorFor(secretValues)(text);
}

/**
 * `redactText` with the secrets prepared once, for text redacted many times (every `run.log`).
 * With nothing to hide it is the identity, so callers can skip the work: `redact === keepText`.
 */
export function redactorFor(secretValues: Iterable<string>): (text: string) => string {
  const values = [...new Set(secretValues)].filter((v) => v.length >= MIN_SECRET_LENGTH);
  if (values.length === 0) return keepText;
  values.sort((a, b) => b.length - a.length);
  return (text) => {
    let out = text;
    for (const value of values) if (out.includes(value)) out = out.split(value).join(REDACTED);
    return out;
  };
}

/**
 * A secret's value as records keep it, so two runs can be compared without writing it down:
 * `sha256:` and the first 16 hex digits of its SHA-256.
 */
function secretFingerprint(value: string): string {
  return `sha256:${createHash('sha256').update(value).digest('hex').slice(0, 16)}`;
}

/**
 * The environment variables a config read, as records keep them: a secret-named one as its
 * fingerprint, an unset one as null.
 */
export function recordedEnvReads(reads: ReadonlyMap<string, string | undefined>): Record<string, string | null> {
  const out: Record<string, string | null> = Object.create(null) as Record<string, string | null>;
  for (const name of [...reads.keys()].sort()) {
    const value = reads.get(name);
    out[name] = value === undefined ? null : isSecretName(name) && value !== '' ? secretFingerprint(value) : value;
  }
  return out;
}

export const keepText = (text: string): string => text;

/**
 * Removes the user-info of every `scheme://user:pass@host` in `text`: `https://***@host`.
 * A token given as the user name (`https://ghp_x@github.com`) is removed too. The match runs
 * to the last `@` before the path, so a password with a raw `@` does not leak its tail.
 */
export function redactUrl(text: string): string {
  return text.replace(/\b([a-z][a-z0-9+.-]*:\/\/)[^/?#\s"'<>]*@/gi, `$1${REDACTED}@`);
}

/**
 * The values of secret-named variables, so they can be removed wherever else they appear (a
 * token pasted into a remote URL or an argument). Values under 8 characters are left out: they
 * are too likely to occur by chance (`AWS_REGION=eu-1`, `USE_AUTH=true`).
 */
export function secretValuesFromEnv(env: NodeJS.ProcessEnv): string[] {
  const values: string[] = [];
  for (const [name, value] of Object.entries(env)) {
    if (value !== undefined && value.length >= 8 && isSecretName(name)) values.push(value);
  }
  return values;
}

/**
 * Applies `redact` to every string (keys too) of a JSON-like value and returns a copy.
 * Redacting the serialized JSON text instead would miss secrets that JSON escapes (quotes,
 * backslashes) and could break the document when a secret equals a JSON token.
 */
export function redactStrings<T>(value: T, redact: (text: string) => string): T {
  return mapStrings(value, redact) as T;
}

function mapStrings(value: unknown, redact: (text: string) => string): unknown {
  if (typeof value === 'string') return redact(value);
  if (Array.isArray(value)) return value.map((v) => mapStrings(v, redact));
  if (value !== null && typeof value === 'object') {
    // fromEntries defines own properties, so a `__proto__` key stays a plain key.
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [redact(k), mapStrings(v, redact)]));
  }
  return value;
}
