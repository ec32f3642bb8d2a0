import type { DictKey, ParsedElement, Quote } from '../../../src/overrides/index.js';

/** Short builders for expected parsed values in tables. */
export const str = (value: string): ParsedElement => ({ kind: 'string', value });
export const quoted = (value: string, quote: Quote = "'"): ParsedElement => ({ kind: 'quoted', value, quote });
export const int = (value: number | bigint): ParsedElement => ({ kind: 'int', value: BigInt(value) });
export const float = (value: number): ParsedElement => ({ kind: 'float', value });
export const bool = (value: boolean): ParsedElement => ({ kind: 'bool', value });
export const nul: ParsedElement = { kind: 'null' };
export const list = (...items: ParsedElement[]): ParsedElement => ({ kind: 'list', items });
export const dict = (...entries: Array<[DictKey | string, ParsedElement]>): ParsedElement => ({
  kind: 'dict',
  entries: entries.map(([key, value]) => ({ key: typeof key === 'string' ? (str(key) as DictKey) : key, value })),
});
