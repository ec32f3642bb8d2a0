export type {
  BoolElement,
  ChoiceSweep,
  DictElement,
  DictItem,
  DictKey,
  FloatElement,
  GlobSweep,
  IntElement,
  IntervalSweep,
  ListElement,
  NullElement,
  Override,
  OverrideType,
  ParseOptions,
  ParsedElement,
  ParsedValue,
  QuotedElement,
  Quote,
  RangeSweep,
  StringElement,
  Sweep,
  SweepNumber,
  ValueType,
} from './types.js';
export { parseOverride, parseOverrides } from './parse.js';
export { escapeSpecialCharacters, formatElement, formatKeyElement, formatOverrideForJob, quoteString } from './format.js';
export { groupChoiceOf, valueToNode } from './convert.js';
export { checkSweepsAllowed, type RunMode } from './check.js';
export { sweepElements, sweepValueTexts, type LazySequence } from './sweep-values.js';
