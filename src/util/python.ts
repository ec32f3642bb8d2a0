/**
 * Python's text rules for its simple values: repr() and str() of str, int, float, bool and None,
 * and int()/float() of a string. Hydra and OmegaConf hand users Python's text (interpolated
 * strings, job overrides, error messages) and read values with Python's parsers, so trellis
 * prints and reads exactly what Python would. Pure; nothing here knows about config trees.
 */

/** A Python int is a JS number when exact, else a bigint; a float is a number with a flag. */
export type PythonScalar = string | number | bigint | boolean | null;

// ---- repr() and str() ----

// Python's str.isprintable(): not in Cc, Cf, Cs, Co, Cn, Zl, Zp, Zs, except the plain space.
const NON_PRINTABLE = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}\p{Zs}]/u;
function isPrintable(ch: string): boolean {
  return ch === ' ' || !NON_PRINTABLE.test(ch);
}

/** `repr()` of a Python str: single quotes unless the text has a `'` and no `"`; escapes as Python. */
export function pythonStringRepr(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of s) {
    const code = ch.codePointAt(0) ?? 0;
    if (ch === quote || ch === '\\') out += `\\${ch}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (isPrintable(ch)) out += ch;
    else if (code < 0x100) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else if (code < 0x10000) out += `\\u${code.toString(16).padStart(4, '0')}`;
    else out += `\\U${code.toString(16).padStart(8, '0')}`;
  }
  return out + quote;
}

/**
 * Python's repr() of a float, which str() equals: shortest round-trip digits, `1.0` not `1`,
 * exponent form below 1e-4 and from 1e16 on (`1e-05`, `1e+16`), `inf`/`nan`.
 */
export function formatPythonFloat(n: number): string {
  if (Number.isNaN(n)) return 'nan';
  if (n === Infinity) return 'inf';
  if (n === -Infinity) return '-inf';
  if (n === 0) return Object.is(n, -0) ? '-0.0' : '0.0';
  const [mantissa = '', expText = '0'] = n.toExponential().split('e');
  const exp = Number(expText);
  const sign = mantissa.startsWith('-') ? '-' : '';
  const digits = mantissa.replace('-', '').replace('.', '');
  const decpt = exp + 1;
  if (decpt > 16 || decpt < -3) {
    const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    return `${sign}${m}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  if (decpt <= 0) return `${sign}0.${'0'.repeat(-decpt)}${digits}`;
  if (decpt >= digits.length) return `${sign}${digits}${'0'.repeat(decpt - digits.length)}.0`;
  return `${sign}${digits.slice(0, decpt)}.${digits.slice(decpt)}`;
}

/** `str()` of a scalar; `float` marks a number that is a Python float (1.0 prints as `1.0`). */
export function pythonScalarStr(value: PythonScalar, float = false): string {
  if (value === null) return 'None';
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'number') {
    if (float || !Number.isInteger(value)) return formatPythonFloat(value);
    return Number.isSafeInteger(value) ? String(value === 0 ? 0 : value) : BigInt(value).toString();
  }
  return value;
}

/** `repr()` of a scalar: a str quoted, anything else as `str()` prints it. */
export function pythonScalarRepr(value: PythonScalar, float = false): string {
  return typeof value === 'string' ? pythonStringRepr(value) : pythonScalarStr(value, float);
}

// ---- int() and float() ----

// What int() and float() strip (CPython's Py_UNICODE_ISSPACE less \x1c-\x1f, which they keep):
// JS's \s with U+0085 added and U+FEFF taken out.
const SPACE = String.raw`[\t\n\v\f\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]`;
const PY_SPACE = new RegExp(`^${SPACE}+|${SPACE}+$`, 'g');

// Sign, then digits with single underscores between them, after the base's optional prefix.
const INT_PATTERNS = {
  2: /^([+-]?)(?:0[bB]_?)?([01](?:_?[01])*)$/,
  8: /^([+-]?)(?:0[oO]_?)?([0-7](?:_?[0-7])*)$/,
  10: /^([+-]?)([0-9](?:_?[0-9])*)$/,
  16: /^([+-]?)(?:0[xX]_?)?([0-9a-fA-F](?:_?[0-9a-fA-F])*)$/,
} as const;
const BIGINT_PREFIX = { 2: '0b', 8: '0o', 10: '', 16: '0x' } as const;

/**
 * Python's `int(text, base)`: blanks around, a sign, the base's prefix (`0x`…) when the base
 * has one, digits with single underscores between them. Undefined where Python raises
 * ValueError. Exact at any size.
 */
export function parsePythonInt(text: string, base: 2 | 8 | 10 | 16 = 10): bigint | undefined {
  const m = INT_PATTERNS[base].exec(text.replace(PY_SPACE, ''));
  if (!m) return undefined;
  const n = BigInt(BIGINT_PREFIX[base] + (m[2] ?? '').replace(/_/g, ''));
  return m[1] === '-' ? -n : n;
}

const FLOAT_DIGITS = String.raw`\d(?:_?\d)*`;
const FLOAT_PATTERN = new RegExp(`^[+-]?(?:${FLOAT_DIGITS}(?:\\.(?:${FLOAT_DIGITS})?)?|\\.${FLOAT_DIGITS})(?:[eE][+-]?${FLOAT_DIGITS})?$`);

/** Python's `float(text)`: decimal and exponent forms with underscores, inf/infinity/nan in any case. */
export function parsePythonFloat(text: string): number | undefined {
  const t = text.replace(PY_SPACE, '');
  const special = /^([+-]?)(inf|infinity|nan)$/i.exec(t);
  if (special) {
    if ((special[2] as string).toLowerCase() === 'nan') return NaN;
    return special[1] === '-' ? -Infinity : Infinity;
  }
  if (!FLOAT_PATTERN.test(t)) return undefined;
  return Number(t.replace(/_/g, ''));
}

/** A Python int as trellis holds it: a number when exact, else the bigint itself. */
export function intScalar(n: bigint): number | bigint {
  return n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n;
}
