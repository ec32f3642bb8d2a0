/**
 * The data model of Hydra 1.3's command-line override grammar, after parsing.
 *
 * Values keep what Hydra's visitor keeps: ints apart from floats, quoted strings apart from
 * unquoted ones (a quoted string is printed back with its quotes when a sweeper re-serialises a
 * job), and interpolations as plain string text.
 */

export type Quote = "'" | '"';

export interface StringElement {
  kind: 'string';
  /** Unquoted text, escapes already applied; `${...}` interpolations are kept verbatim. */
  value: string;
}
export interface QuotedElement {
  kind: 'quoted';
  /** The text between the quotes, escapes already applied. */
  value: string;
  quote: Quote;
}
export interface IntElement {
  kind: 'int';
  /** Python ints are unbounded; bigint keeps every digit. */
  value: bigint;
}
export interface FloatElement {
  kind: 'float';
  value: number;
}
export interface BoolElement {
  kind: 'bool';
  value: boolean;
}
export interface NullElement {
  kind: 'null';
}
export interface ListElement {
  kind: 'list';
  items: ParsedElement[];
}
export interface DictElement {
  kind: 'dict';
  /** In insertion order; a key given twice keeps its first position and its last value. */
  entries: DictItem[];
}

/** What `dictKey` can produce: never a quoted string, a container or an interpolation. */
export type DictKey = StringElement | IntElement | FloatElement | BoolElement | NullElement;

export interface DictItem {
  key: DictKey;
  value: ParsedElement;
}

/** One value: what Hydra calls `ParsedElementType`. */
export type ParsedElement = StringElement | QuotedElement | IntElement | FloatElement | BoolElement | NullElement | ListElement | DictElement;

/** A number as range() and interval() hold it (Python keeps int and float apart). */
export type SweepNumber = IntElement | FloatElement;

export interface ChoiceSweep {
  kind: 'choice';
  items: ParsedElement[];
  /** `a,b,c` (true) or `choice(a,b,c)` (false). */
  simpleForm: boolean;
  shuffle: boolean;
  tags: string[];
}

export interface RangeSweep {
  kind: 'range';
  start: SweepNumber;
  stop: SweepNumber;
  step: SweepNumber;
  shuffle: boolean;
  tags: string[];
}

export interface IntervalSweep {
  kind: 'interval';
  /** Floats, unless cast with int(). */
  start: SweepNumber;
  end: SweepNumber;
  tags: string[];
}

/** `glob(include, exclude)`: the options of the group whose names match. Not taggable, as in Hydra. */
export interface GlobSweep {
  kind: 'glob';
  include: string[];
  exclude: string[];
}

export type Sweep = ChoiceSweep | RangeSweep | IntervalSweep | GlobSweep;

export type ParsedValue = ParsedElement | Sweep;

export type OverrideType = 'change' | 'add' | 'force-add' | 'delete';

/** Hydra's `ValueType`; absent for `~key` without a value. */
export type ValueType = 'element' | 'choice' | 'simple-choice' | 'glob' | 'range' | 'interval';

export interface Override {
  /** The override exactly as given. */
  text: string;
  /** Its position among the overrides (0-based). */
  index: number;
  type: OverrideType;
  /** A dotted config key (`a.b.0`), a group path (`model/encoder`), or '' (Hydra allows an empty key). */
  key: string;
  /** The `@pkg` part: undefined when absent, '' for `group@=x` (the global package). */
  package?: string;
  /** Undefined only for `~key`; `key=` gives the empty string. */
  value?: ParsedValue;
  valueType?: ValueType;
  isSweep: boolean;
}

export interface ParseOptions {
  /**
   * Random numbers in [0, 1) for `shuffle([...])` of a list, which Hydra shuffles while parsing.
   * Default: Math.random. Inject a seeded generator for reproducible runs.
   */
  random?: () => number;
}

export function isSweepValue(value: ParsedValue | undefined): value is Sweep {
  return value !== undefined && (value.kind === 'choice' || value.kind === 'range' || value.kind === 'interval' || value.kind === 'glob');
}
