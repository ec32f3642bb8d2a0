import type { Scalar } from '../tree/node.js';

/**
 * The syntax tree of an OmegaConf value. Offsets (`start`, `end`) index the parsed string, so
 * an error can point at the interpolation that failed. Escapes are already undone in the
 * string parts: what is left to do at resolution time is looking things up.
 */

interface Span {
  start: number;
  end: number;
}

/** `${a.b}`, `${..x}`, `${l[0]}`, `${a.${b}}`: the path is rebuilt as text, then split as OmegaConf does. */
export interface NodeInterpolation extends Span {
  kind: 'node';
  parts: Array<string | Interpolation>;
}

/** `${name:arg,...}`; a name part may itself be an interpolation (`${${which}:x}`). */
export interface ResolverInterpolation extends Span {
  kind: 'resolver';
  name: Array<string | Interpolation>;
  args: Element[];
  /** Each argument's source text: the resolver cache key, as in OmegaConf. */
  argTexts: string[];
}

export type Interpolation = NodeInterpolation | ResolverInterpolation;

/**
 * Text with interpolations: a whole config value or a quoted argument. A text that is exactly
 * one interpolation yields that interpolation's value with its type; anything else is a string.
 */
export interface Text extends Span {
  kind: 'text';
  parts: Array<string | Interpolation>;
}

/** A resolver argument typed by the grammar: `1` int, `1.5` float, `true`, `null`, `abc`. */
export interface Constant extends Span {
  kind: 'constant';
  value: Scalar;
  float: boolean;
}

/** An unquoted argument of several tokens (`a-b`, `x${y}`, `/data/${name}`): always a string. */
export interface Concat extends Span {
  kind: 'concat';
  parts: Array<string | Interpolation>;
}

export interface Quoted extends Span {
  kind: 'quoted';
  text: Text | undefined;
}

export interface ListElement extends Span {
  kind: 'list';
  items: Element[];
}

export interface DictElement extends Span {
  kind: 'dict';
  entries: Array<{ key: Scalar; keyFloat: boolean; value: Element }>;
}

export type Element = Constant | Concat | Interpolation | Quoted | ListElement | DictElement;
