/**
 * Differential rows against the real OmegaConf 2.2.2 (PyYAML 6.0): every expectation below was
 * produced by `OmegaConf.load` of the YAML text, then `OmegaConf.to_container(cfg, resolve=True,
 * throw_on_missing=False)`, and encoded as the recorded cases are ($float, $map). Error rows give
 * OmegaConf's exception and the stage it was raised at (load or resolve); trellis must fail at
 * the same stage. Found by fuzzing trellis against OmegaConf; none of these come from trellis.
 */
import { describe, expect, it } from 'vitest';
import { TrellisError } from '../../../src/errors/index.js';
import { checkTreeSyntax, resolveTree } from '../../../src/interpolate/index.js';
import { dictNode, setKey, valueNode, type Node } from '../../../src/tree/node.js';
import { loadYaml } from '../../../src/yaml/load.js';
import { context, encode } from '../interpolate/helpers.js';

interface Row {
  name: string;
  yaml: string;
  expect: { config: unknown } | { error: string; stage: 'load' | 'resolve' };
}

const ROWS: Row[] = [
  { name: 'a null key is rejected', yaml: '~: v\n', expect: { error: "KeyValidationError: Incompatible key type 'NoneType'", stage: 'load' } },
  { name: 'the key null is rejected', yaml: 'a: 1\nnull: 2\n', expect: { error: "KeyValidationError: Incompatible key type 'NoneType'", stage: 'load' } },
  { name: '[?x] is a one-pair mapping', yaml: 'a: [?x, ?y z, 1]\n', expect: { config: { a: [{ x: null }, { 'y z': null }, 1] } } },
  { name: '{?x: 1} has the key x', yaml: 'a: {?x: 1, ?y}\n', expect: { config: { a: { x: 1, y: null } } } },
  { name: 'a flow item cannot start with a colon', yaml: 'a: [:x]\n', expect: { error: 'ParserError: while parsing a flow node', stage: 'load' } },
  { name: '? inside a flow plain scalar ends it', yaml: 'a: [x?y]\n', expect: { error: 'ParserError: while parsing a flow sequence', stage: 'load' } },
  { name: '?x cannot be a flow mapping value', yaml: 'a: {b: ?x}\n', expect: { error: 'ParserError: while parsing a flow node', stage: 'load' } },
  { name: 'a colon inside a flow scalar is text', yaml: 'a: [a:b, x:y:]\n', expect: { config: { a: ['a:b', { 'x:y': null }] } } },
  { name: 'a tab inside a plain scalar', yaml: 'a: b\tc\n', expect: { error: 'ScannerError: while scanning for the next token', stage: 'load' } },
  { name: 'a tab after a value', yaml: 'a: 1\t\n', expect: { error: 'ScannerError: while scanning for the next token', stage: 'load' } },
  { name: 'a tab after the colon', yaml: 'c:\t1\n', expect: { error: 'ScannerError: while scanning for the next token', stage: 'load' } },
  { name: 'a tab before a comment', yaml: 'a: b\t# c\n', expect: { error: 'ScannerError: while scanning for the next token', stage: 'load' } },
  {
    name: 'tabs in quoted and block scalars and comments are fine',
    yaml: 'a: \'x\ty\'\nb: "p\\tq"\nc: |\n  x\ty\nd: e # c\td\n',
    expect: { config: { a: 'x\ty', b: 'p\tq', c: 'x\ty\n', d: 'e' } },
  },
  { name: 'a document that is a quoted YAML string is read again', yaml: '"a: 1"\n', expect: { config: { a: 1 } } },
  { name: 'a document that is a quoted list is read again', yaml: "'[1, 2]'\n", expect: { config: [1, 2] } },
  { name: 'a document that is the string 1 is an error', yaml: '"1"\n', expect: { error: 'AssertionError: ', stage: 'load' } },
  { name: "a document that is '' is empty", yaml: "''\n", expect: { config: {} } },
  {
    name: 'a plain = value is an error',
    yaml: 'a: =\n',
    expect: { error: "ConstructorError: could not determine a constructor for the tag 'tag:yaml.org,2002:value'", stage: 'load' },
  },
  { name: '= as a key is a string', yaml: '=: v\n', expect: { config: { '=': 'v' } } },
  {
    name: 'a plain << value is an error',
    yaml: 'a: <<\n',
    expect: { error: "ConstructorError: could not determine a constructor for the tag 'tag:yaml.org,2002:merge'", stage: 'load' },
  },
  { name: 'true, 1 and 1.0 are one key', yaml: 'yes: 1\n0b1: 2\n1.0: 3\n', expect: { config: { $map: [[true, 3]] } } },
  {
    name: 'false, 0 and -0.0 are one key',
    yaml: 'off: a\n0: b\n-0.0: c\nx: d\n',
    expect: {
      config: {
        $map: [
          [false, 'c'],
          ['x', 'd'],
        ],
      },
    },
  },
  { name: '!!int accepts 0o after the leading zero', yaml: 'a: !!int 0o10\n', expect: { config: { a: 8 } } },
  { name: '!!int with a doubled sign', yaml: 'a: !!int +-5\n', expect: { config: { a: -5 } } },
  {
    name: '!!int of a float text is an error',
    yaml: 'a: !!int 1.5\n',
    expect: { error: "ValueError: invalid literal for int() with base 10: '1.5'", stage: 'load' },
  },
  { name: '!!int of _ is an error', yaml: 'a: !!int _\n', expect: { error: 'IndexError: string index out of range', stage: 'load' } },
  { name: '!!float of hex is an error', yaml: 'a: !!float 0x10\n', expect: { error: "ValueError: could not convert string to float: '0x10'", stage: 'load' } },
  { name: '!!float of an empty value is an error', yaml: 'a: !!float\n', expect: { error: 'IndexError: string index out of range', stage: 'load' } },
  {
    name: '!!float keeps Python float() spellings',
    yaml: 'a: !!float infinity\nb: !!float " 1.5 "\nc: !!float --1\nd: !!float -.NaN\n',
    expect: { config: { a: { $float: 'inf' }, b: { $float: '1.5' }, c: { $float: '1.0' }, d: { $float: 'nan' } } },
  },
  { name: '!!bool of anything but the six words is an error', yaml: 'a: !!bool x\n', expect: { error: "KeyError: 'x'", stage: 'load' } },
  { name: '!!bool of . is an error', yaml: 'a: !!bool .\n', expect: { error: "KeyError: '.'", stage: 'load' } },
  { name: '!!null of anything is null', yaml: 'a: !!null false\n', expect: { config: { a: null } } },
  { name: '0b with no digits is an error', yaml: 'a: 0b__\n', expect: { error: "ValueError: invalid literal for int() with base 2: ''", stage: 'load' } },
  { name: '0x with no digits is an error', yaml: 'a: +0x_\n', expect: { error: "ValueError: invalid literal for int() with base 16: ''", stage: 'load' } },
  { name: '0_ is zero', yaml: 'a: 0_\n', expect: { config: { a: 0 } } },
  {
    name: 'sexagesimal floats sum from the right as Python does',
    yaml: 'a: -1:37:20.81\nb: 190:20:30.15\n',
    expect: { config: { a: { $float: '-5840.8099999999995' }, b: { $float: '685230.15' } } },
  },
  {
    name: 'a scalar tag on a sequence is an error',
    yaml: 'a: !!str [1]\n',
    expect: { error: 'ConstructorError: expected a scalar node, but found sequence', stage: 'load' },
  },
  {
    name: '!!int on a sequence is an error',
    yaml: 'a: !!int []\n',
    expect: { error: 'ConstructorError: expected a scalar node, but found sequence', stage: 'load' },
  },
  { name: '!!seq and !!map are fine', yaml: 'a: !!seq [1]\nb: !!map {x: 1}\n', expect: { config: { a: [1], b: { x: 1 } } } },
  {
    name: 'a dash ends a resolver name inside ${}: ${x-y:1} is a grammar error at load',
    yaml: "a: '${x-y:1}'\n",
    expect: { error: "GrammarParseError: mismatched input ':' expecting {BRACKET_OPEN, INTER_CLOSE, '.'}", stage: 'load' },
  },
  {
    name: '${a-b.c:1} is a grammar error at load',
    yaml: "a: '${a-b.c:1}'\n",
    expect: { error: "GrammarParseError: extraneous input ':' expecting {BRACKET_OPEN, INTER_CLOSE, '.'}", stage: 'load' },
  },
  {
    name: '${:x} passes the load check (simple pattern) and fails on resolve',
    yaml: "a: '${:x}'\n",
    expect: { error: "GrammarParseError: no viable alternative at input '${:'", stage: 'resolve' },
  },
  { name: '${:} fails the load', yaml: "a: '${:}'\n", expect: { error: "GrammarParseError: no viable alternative at input '${:'", stage: 'load' } },
  {
    name: 'oc.select into a list with a non-int key raises',
    yaml: 'l: [1, 2]\na: ${oc.select:l.x,d}\n',
    expect: { error: "InterpolationResolutionError: TypeError raised while resolving interpolation: Index 'x' (str) is not an int", stage: 'resolve' },
  },
  { name: 'oc.select through a scalar gives the default', yaml: 'i: 1\na: ${oc.select:i.x,d}\n', expect: { config: { i: 1, a: 'd' } } },
  { name: 'oc.select through null gives the default', yaml: 'n: null\na: ${oc.select:n.x,d}\n', expect: { config: { n: null, a: 'd' } } },
  {
    name: 'oc.select above the root raises',
    yaml: 'i: 1\na: ${oc.select:..i,d}\n',
    expect: { error: "InterpolationResolutionError: ConfigKeyError raised while resolving interpolation: Error resolving key '..i'", stage: 'resolve' },
  },
  {
    name: 'oc.create:null is None',
    yaml: "a: ${oc.create:null}\nb: x${oc.create:null}\nc: ${oc.create:''}\n",
    expect: { config: { a: null, b: 'xNone', c: {} } },
  },
  {
    name: 'a null-keyed flow mapping is rejected even when unused',
    yaml: 'a: {x: 1}\nb: [?]\n',
    expect: { error: "KeyValidationError: Incompatible key type 'NoneType'", stage: 'load' },
  },
];

/** OmegaConf.load: the YAML, a scalar document read as OmegaConf.create reads it, every `${` checked. */
function load(text: string): Node {
  let root = loadYaml(text, 't.yaml').root;
  if (root.kind === 'value') {
    const dict = dictNode();
    if (typeof root.value === 'string') setKey(dict, root.value, valueNode(null));
    else if (root.value !== null) throw new TrellisError('YAML_SYNTAX', 'not a config');
    root = dict;
  }
  checkTreeSyntax(root);
  return root;
}

function stageOf(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (e) {
    expect(e).toBeInstanceOf(TrellisError);
    return 'failed';
  }
}

describe('YAML loading and interpolation: differential rows from OmegaConf 2.2.2', () => {
  it.each(ROWS)('$name', ({ yaml, expect: want }) => {
    if ('config' in want) {
      const root = load(yaml);
      expect(encode(resolveTree(root, context()))).toEqual(want.config);
      return;
    }
    if (want.stage === 'load') {
      expect(
        stageOf(() => load(yaml)),
        want.error,
      ).toBe('failed');
      return;
    }
    const root = load(yaml);
    expect(
      stageOf(() => resolveTree(root, context())),
      want.error,
    ).toBe('failed');
  });
});
