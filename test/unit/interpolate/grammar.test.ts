import { describe, expect, it } from 'vitest';
import type { ErrorCode } from '../../../src/errors/index.js';
import { createDefaultResolvers, selectNode } from '../../../src/interpolate/index.js';
import { cloneNode, listNode, type Node } from '../../../src/tree/node.js';
import { context, encode, f, thrown, tree } from './helpers.js';

/**
 * OmegaConf's grammar tables (tests/test_grammar.py, v2.2): PARAMS_SINGLE_ELEMENT_NO_INTERPOLATION,
 * PARAMS_SINGLE_ELEMENT_WITH_INTERPOLATION and PARAMS_CONFIG_VALUE, with the same ids. Single
 * elements are evaluated with `${oc.decode:...}` (the singleElement rule), config values as a
 * value of BASE_TEST_CFG. GrammarParseError → INTERPOLATION_SYNTAX, InterpolationKeyError →
 * INTERPOLATION_KEY_MISSING, a non-string key → INTERPOLATION_TYPE, unknown resolver →
 * INTERPOLATION_RESOLVER_UNKNOWN.
 */

const F = (repr: string) => ({ $float: repr });
class Err {
  constructor(readonly code: ErrorCode) {}
}
const SYNTAX = new Err('INTERPOLATION_SYNTAX');
const KEY = new Err('INTERPOLATION_KEY_MISSING');
const TYPE = new Err('INTERPOLATION_TYPE');
const TAB = '\t';
const UNQUOTED_SPECIAL = '/-\\+.$%*@?|';

const BASE_TEST_CFG = {
  str: 'hi',
  int: 123,
  float: f(1.2),
  dict: { a: 0, b: { c: 1 } },
  list: [-1, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
  null: null,
  'x@y': 123,
  $x$y$z$: 456,
  '0': 0,
  FalsE: { TruE: true },
  None: { null: 1 },
  '1': { '2': 12 },
  str_test: 'test',
  ref_str: 'str',
  options: { a: 'A', b: 'B' },
  choice: 'a',
  rel_opt: '.options',
};

type Row = [id: string, definition: string, expected: unknown];

const SINGLE_ELEMENT_NO_INTERPOLATION: Row[] = [
  ['null', 'null', null],
  ['true', 'TrUe', true],
  ['false', 'falsE', false],
  ['true_false', 'true_false', 'true_false'],
  ['int', '123', 123],
  ['int_pos', '+123', 123],
  ['int_neg', '-123', -123],
  ['int_underscore', '1_000', 1000],
  ['int_bad_underscore_1', '1_000_', '1_000_'],
  ['int_bad_underscore_2', '1__000', '1__000'],
  ['int_bad_underscore_3', '_1000', '_1000'],
  ['int_bad_zero_start', '007', '007'],
  ['float', '1.1', F('1.1')],
  ['float_no_int', '.1', F('0.1')],
  ['float_no_decimal', '1.', F('1.0')],
  ['float_minus', '-.2', F('-0.2')],
  ['float_plus', '+.2', F('0.2')],
  ['float_underscore_1', '1.1_1', F('1.11')],
  ['float_underscore_2', '1_1_2.1', F('112.1')],
  ['float_bad_1', '1.+2', '1.+2'],
  ['float_bad_2', '1\\.2', '1\\.2'],
  ['float_bad_3', '1.2_', '1.2_'],
  ['float_bad_4', '1__1.2', '1__1.2'],
  ['float_exp_1', '-1e2', F('-100.0')],
  ['float_exp_2', '+1E-2', F('0.01')],
  ['float_exp_3', '1_0e1_0', F('100000000000.0')],
  ['float_exp_4', '1.07e+2', F('107.0')],
  ['float_exp_5', '1e+03', F('1000.0')],
  ['float_exp_bad_1', 'e-2', 'e-2'],
  ['float_exp_bad_2', '01e2', '01e2'],
  ['float_exp_bad_3', '0_e0', '0_e0'],
  ['float_inf', 'inf', F('inf')],
  ['float_plus_inf', '+inf', F('inf')],
  ['float_minus_inf', '-inf', F('-inf')],
  ['float_nan', 'nan', F('nan')],
  ['float_plus_nan', '+nan', F('nan')],
  ['float_minus_nan', '-nan', F('nan')],
  ['str_legal', `a${UNQUOTED_SPECIAL}\\\\`, `a${UNQUOTED_SPECIAL}\\`],
  ['str_illegal_1', 'a,=b', SYNTAX],
  ['str_illegal_2', String.fromCodePoint(200), SYNTAX],
  ['str_illegal_3', String.fromCodePoint(129299), SYNTAX],
  ['str_dot', '.', '.'],
  ['str_dollar', '$', '$'],
  ['str_colon', ':', ':'],
  ['str_ws_1', 'hello world', 'hello world'],
  ['str_ws_2', 'a b\tc  \t\t  d', 'a b\tc  \t\t  d'],
  ['str_esc_ws_1', '\\ hello\\ world\\ ', ' hello world '],
  ['str_esc_ws_2', `\\ \\${TAB}\\${TAB}`, ` ${TAB}${TAB}`],
  ['str_esc_comma', 'hello\\, world', 'hello, world'],
  ['str_esc_colon', 'a\\:b', 'a:b'],
  ['str_esc_equal', 'a\\=b', 'a=b'],
  ['str_esc_parentheses', '\\(foo\\)', '(foo)'],
  ['str_esc_brackets', '\\[foo\\]', '[foo]'],
  ['str_esc_braces', '\\{foo\\}', '{foo}'],
  ['str_esc_backslash', '\\\\', '\\'],
  ['str_backslash_noesc', 'ab\\cd', 'ab\\cd'],
  ['str_esc_illegal_1', '\\#', SYNTAX],
  ['str_esc_illegal_2', '\\\'\\"', SYNTAX],
  ['str_quoted_single', "'!@#$%^&*|()[]:.,\"'", '!@#$%^&*|()[]:.,"'],
  ['str_quoted_double', '"!@#$%^&*|()[]:.,\'"', "!@#$%^&*|()[]:.,'"],
  ['str_quoted_outer_ws_single', "'  a \t'", '  a \t'],
  ['str_quoted_outer_ws_double', '"  a \t"', '  a \t'],
  ['str_quoted_int', "'123'", '123'],
  ['str_quoted_null', "'null'", 'null'],
  ['str_quoted_bool', '[\'truE\', "FalSe"]', ['truE', 'FalSe']],
  ['str_quoted_list', "'[a,b, c]'", '[a,b, c]'],
  ['str_quoted_dict', '"{a:b, c: d}"', '{a:b, c: d}'],
  ['str_quoted_backslash_noesc_single', "'a\\b'", 'a\\b'],
  ['str_quoted_backslash_noesc_double', '"a\\b"', 'a\\b'],
  ['str_quoted_concat_bad_2', "'Hi''there'", SYNTAX],
  ['str_quoted_too_many_1', "''a'", SYNTAX],
  ['str_quoted_too_many_2', "'a''", SYNTAX],
  ['str_quoted_too_many_3', "''a''", SYNTAX],
  ['str_quoted_trailing_esc_1', "'abc\\\\'", 'abc\\'],
  ['str_quoted_trailing_esc_2', "'abc\\\\\\\\'", 'abc\\\\'],
  ['str_quoted_no_esc_single_1', "'abc\\def'", 'abc\\def'],
  ['str_quoted_no_esc_single_2', "'abc\\\\def'", 'abc\\\\def'],
  ['str_quoted_no_esc_single_3', "'\\\\\\abc\\def'", '\\\\\\abc\\def'],
  ['str_quoted_no_esc_dollar_single', "'abc\\\\$$'", 'abc\\\\$$'],
  ['str_quoted_no_esc_double_1', '"abc\\def"', 'abc\\def'],
  ['str_quoted_no_esc_double_2', '"abc\\\\def"', 'abc\\\\def'],
  ['str_quoted_no_esc_double_3', '"\\\\\\abc\\def"', '\\\\\\abc\\def'],
  ['str_quoted_no_esc_dollar_double', '"abc\\\\$$"', 'abc\\\\$$'],
  ['str_quoted_bad_1', '"abc\\"', SYNTAX],
  ['str_quoted_bad_2', '"abc\\\\\\"', SYNTAX],
  ['str_quoted_esc_quote_single_1', "'abc\\'def'", "abc'def"],
  ['str_quoted_esc_quote_single_2', "'abc\\\\\\'def'", "abc\\'def"],
  ['str_quoted_esc_quote_single_3', "'abc\\\\\\\\\\'def'", "abc\\\\'def"],
  ['str_quoted_esc_quote_single_4', "'a\\'b\\'cdef\\\\\\''", "a'b'cdef\\'"],
  ['str_quoted_esc_quote_single_bad', "'abc\\\\'def'", SYNTAX],
  ['str_quoted_esc_quote_double_1', '"abc\\"def"', 'abc"def'],
  ['str_quoted_esc_quote_double_2', '"abc\\\\\\"def"', 'abc\\"def'],
  ['str_quoted_esc_quote_double_3', '"abc\\\\\\\\\\"def"', 'abc\\\\"def'],
  ['str_quoted_esc_quote_double_4', '"a\\"b\\"cdef\\\\\\""', 'a"b"cdef\\"'],
  ['str_quoted_esc_quote_double_bad', '"abc\\\\"def"', SYNTAX],
  ['str_quoted_empty', "''", ''],
  ['str_quoted_basic', "'a'", 'a'],
  ['str_quoted_tmp_1', "'\\a'", '\\a'],
  ['str_quoted_tmp_2', "'a\\'", SYNTAX],
  ['str_quoted_inside_quote_different', "'\"'", '"'],
  ['str_quoted_inside_quote_same', "'\\''", "'"],
  ['str_quoted_extra_quote', "'c:\\\\''", SYNTAX],
  ['list', '[0, 1]', [0, 1]],
  ['dict', '{x: 1, a: b, y: 1e2, null2: 0.1, true3: false, inf4: true}', { x: 1, a: 'b', y: F('100.0'), null2: F('0.1'), true3: false, inf4: true }],
  [
    'dict_unquoted_key',
    `{a0-null-1-3.14-NaN- ${TAB}-true-False-${UNQUOTED_SPECIAL}\\(\\)\\[\\]\\{\\}\\:\\=\\ \\${TAB}\\,:0}`,
    { [`a0-null-1-3.14-NaN- ${TAB}-true-False-${UNQUOTED_SPECIAL}()[]{}:= ${TAB},`]: 0 },
  ],
  ['dict_quoted', "{0: 1, 'a': 'b', 1.1: 1e2, null: 0.1, true: false, -inf: true}", SYNTAX],
  [
    'structured_mixed',
    "[10,str,3.14,true,false,inf,[1,2,3], 'quoted', \"quoted\", 'a,b,c']",
    [10, 'str', F('3.14'), true, false, F('inf'), [1, 2, 3], 'quoted', 'quoted', 'a,b,c'],
  ],
  ['dict_int_key', '{0: 0}', { $map: [[0, 0]] }],
  ['dict_float_key', '{1.1: 0}', { $map: [[F('1.1'), 0]] }],
  ['dict_null_key', '{null: 0}', { $map: [[null, 0]] }],
  ['dict_nan_like_key', "{'nan': 0}", SYNTAX],
  ['dict_list_as_key', '{[0]: 1}', SYNTAX],
  [
    'dict_bool_key',
    "{true: true, false: 'false'}",
    {
      $map: [
        [true, true],
        [false, 'false'],
      ],
    },
  ],
  ['empty_dict', '{}', {}],
  ['empty_list', '[]', []],
  ['structured_deep', '{null0: [0, 3.14, false], true1: {a: [0, 1, 2], b: {}}}', { null0: [0, F('3.14'), false], true1: { a: [0, 1, 2], b: {} } }],
];

const SINGLE_ELEMENT_WITH_INTERPOLATION: Row[] = [
  ['dict_access', '${dict.a}', 0],
  ['list_access', '${list.0}', -1],
  ['dict_access_getitem', '${dict[a]}', 0],
  ['list_access_getitem', '${list[0]}', -1],
  ['getitem_first_1', '${[dict].a}', 0],
  ['getitem_first_2', '${[list][0]}', -1],
  ['dict_access_deep_1', '${dict.b.c}', 1],
  ['dict_access_deep_2', '${dict[b].c}', 1],
  ['dict_access_deep_3', '${dict.b[c]}', 1],
  ['dict_access_deep_4', '${dict[b][c]}', 1],
  ['list_access_underscore', '${list.1_0}', 9],
  ['list_access_bad_negative', '${list.-1}', KEY],
  ['dict_access_list_like_1', '${0}', 0],
  ['dict_access_list_like_2', '${1.2}', 12],
  ['bool_like_keys', '${FalsE.TruE}', true],
  ['null_like_key_ok', '${None.null}', 1],
  ['null_like_key_bad_case', '${NoNe.null}', KEY],
  ['null_like_key_quoted_1', "${'None'.'null'}", SYNTAX],
  ['null_like_key_quoted_2', "${'None.null'}", SYNTAX],
  ['dotpath_bad_type', '${dict.${float}}', TYPE],
  ['at_in_key', '${x@y}', 123],
  ['dollar_in_key', '${$x$y$z$}', 456],
  ['dict_interpolation_value', '{hi: ${str}, int: ${int}}', { hi: 'hi', int: 123 }],
  ['dict_interpolation_key', '{${str}: 0, ${null}: 1', SYNTAX],
  ['list_interpolation', '[${str}, ${int}]', ['hi', 123]],
  ['str_dollar_and_inter', '$$${str}', '$$hi'],
  ['str_inter', 'hi_${str}', 'hi_hi'],
  ['str_esc_illegal_3', '\\${foo\\}', SYNTAX],
  ['str_quoted_inter', "'${null}'", 'None'],
  ['str_quoted_esc_single_1', "'ab\\'cd\\'\\'${str}'", "ab'cd''hi"],
  ['str_quoted_esc_single_2', "'\\\\\\${foo}'", '\\${foo}'],
  ['str_quoted_esc_single_3', "'\\\\a_${str}'", '\\\\a_hi'],
  ['str_quoted_esc_single_4', "'a_${str}\\\\'", 'a_hi\\'],
  ['str_quoted_esc_double_1', '"ab\\"cd\\"\\"${str}"', 'ab"cd""hi'],
  ['str_quoted_esc_double_2', '"\\\\\\${foo}"', '\\${foo}'],
  ['str_quoted_esc_double_3', '"\\\\a_${str}"', '\\\\a_hi'],
  ['str_quoted_esc_double_4', '"a_${str}\\\\"', 'a_hi\\'],
  ['str_quoted_other_quote_double', "'double\"'", 'double"'],
  ['str_quoted_other_quote_single', '"single\'"', "single'"],
  ['str_quoted_concat_bad_1', '"Hi "${str}', SYNTAX],
  ['str_quoted_nested', '\'${test:"b"}\'', 'b'],
  ['str_quoted_nested_esc_quotes', "'${test:'b'}'", 'b'],
  ['str_quoted_esc_inter', '\'\\${test:"b"}\'', '${test:"b"}'],
  ['str_quoted_esc_inter_and_quotes', "'\\${test:\\'b\\'}'", "${test:'b'}"],
  ['str_quoted_esc_inter_nested_single_1', "'${test:'\\${str}'}'", '${str}'],
  ['str_quoted_esc_inter_nested_single_2', "'${test:'\\\\${str}'}'", '\\hi'],
  ['str_quoted_esc_inter_nested_single_3', "'${test:'\\\\\\${str}'}'", '\\${str}'],
  ['str_quoted_esc_inter_nested_double_1', '"${test:"\\${str}"}"', '${str}'],
  ['str_quoted_esc_inter_nested_double_2', '"${test:"\\\\${str}"}"', '\\hi'],
  ['str_quoted_esc_inter_nested_double_3', '"${test:"\\\\\\${str}"}"', '\\${str}'],
  ['str_quoted_error_inside_quotes', "'${missing_brace'", SYNTAX],
  ['ws_inter_node_outer', '${ \tdict.a  \t}', 0],
  ['ws_inter_node_around_dot', '${dict .\ta}', SYNTAX],
  ['ws_inter_node_inside_id', '${d i c t.a}', SYNTAX],
  ['ws_inter_res_outer', '${\t test:foo\t  }', 'foo'],
  ['ws_inter_res_around_colon', '${test\t  : \tfoo}', 'foo'],
  ['ws_inter_res_inside_id', '${te st:foo}', SYNTAX],
  ['ws_inter_res_inside_args', '${test:f o o}', 'f o o'],
  ['ws_inter_res_namespace', '${ns1 .\t ns2 . test:0}', SYNTAX],
  ['ws_inter_res_no_args', '${test: \t}', []],
  ['ws_list', "${test:[\t a,   b,  ''\t  ]}", ['a', 'b', '']],
  ['ws_dict', "${test:{\t a   : 1\t  , b:  \t''}}", { a: 1, b: '' }],
  ['ws_quoted_single', "${test:  \t'foo'\t }", 'foo'],
  ['ws_quoted_double', '${test:  \t"foo"\t }', 'foo'],
  ['nested_simple', '${${ref_str}}', 'hi'],
  ['nested_select', '${options.${choice}}', 'A'],
  ['nested_select_getitem', '${options[${choice}]}', 'A'],
  ['nested_relative', '${${rel_opt}.b}', 'B'],
  ['str_quoted_nested_deep_single', "'AB${test:'CD${test:'EF'}GH'}'", 'ABCDEFGH'],
  ['str_quoted_nested_deep_double', '"AB${test:"CD${test:"EF"}GH"}"', 'ABCDEFGH'],
  ['str_quoted_nested_deep_mixed', '"AB${test:\'CD${test:"EF"}GH\'}"', 'ABCDEFGH'],
  ['str_quoted_issue_615', '${test:"The root drive is: \\\\${str}:\\\\"}', 'The root drive is: \\hi:\\'],
  ['no_args', '${test:}', []],
  ['space_in_args', '${test:a, b c}', ['a', 'b c']],
  ['list_as_input', '${test:[a, b], 0, [1.1]}', [['a', 'b'], 0, [F('1.1')]]],
  ['dict_as_input', '${test:{a: 1.1, b: b}}', { a: F('1.1'), b: 'b' }],
  ['dict_as_input_quotes', "${test:{'a': 1.1, b: b}}", SYNTAX],
  ['dict_typo_colons', '${test:{a: 1.1, b:: b}}', { a: F('1.1'), b: ': b' }],
  ['missing_resolver', '${MiSsInG_ReSoLvEr:0}', new Err('INTERPOLATION_RESOLVER_UNKNOWN')],
  ['at_in_resolver', '${y@z:}', SYNTAX],
  ['ns_resolver', '${ns1.ns2.test:123}', 123],
  ['nested_resolver', '${${str_test}:a, b, c}', ['a', 'b', 'c']],
  ['nested_deep', '${test:${${test:${ref_str}}}}', 'hi'],
  ['nested_resolver_combined_illegal', '${some_${resolver}:a, b, c}', SYNTAX],
  ['nested_args', '${test:${str}, ${null}, ${int}}', ['hi', null, 123]],
  ['int_resolver_quoted', "${'0':1,2,3}", SYNTAX],
  ['int_resolver_noquote', '${0:1,2,3}', SYNTAX],
  ['float_resolver_quoted', "${'1.1':1,2,3}", SYNTAX],
  ['float_resolver_noquote', '${1.1:1,2,3}', SYNTAX],
  ['float_resolver_exp', '${1e1:1,2,3}', SYNTAX],
  ['inter_float_resolver', '${${float}:1,2,3}', TYPE],
  ['dict_nan_key_1', '${first:{nan: 0}}', F('nan')],
  ['dict_nan_key_2', '${first:{${test:nan}: 0}}', SYNTAX],
  // test_deprecated_empty_args: missing elements are empty strings
  ['trailing_comma', '${test:a,b,}', ['a', 'b', '']],
  ['empty_middle', '${test:a,,b}', ['a', '', 'b']],
  ['empty_first', '${test:,a,b}', ['', 'a', 'b']],
  ['single_comma', '${test:,}', ['', '']],
  ['mixed_with_ws', '${test:  ,a,b,\t,,c,  \t   \t ,d,, \t}', ['', 'a', 'b', '', '', 'c', '', 'd', '', '']],
];

const CONFIG_VALUE: Row[] = [
  ['str_top_basic', 'bonjour ${str}', 'bonjour hi'],
  ['str_top_quotes_single_1', "'bonjour ${str}'", "'bonjour hi'"],
  ['str_top_quotes_single_2', "'Bonjour ${str}', I said.", "'Bonjour hi', I said."],
  ['str_top_quotes_double_1', '"bonjour ${str}"', '"bonjour hi"'],
  ['str_top_quotes_double_2', '"Bonjour ${str}", I said.', '"Bonjour hi", I said.'],
  ['str_top_missing_end_quote_single', "'${str}", "'hi"],
  ['str_top_missing_end_quote_double', '"${str}', '"hi'],
  ['str_top_missing_start_quote_double', '${str}"', 'hi"'],
  ['str_top_missing_start_quote_single', "${str}'", "hi'"],
  ['str_top_middle_quote_single', "I'd like ${str}", "I'd like hi"],
  ['str_top_middle_quote_double', 'I"d like ${str}', 'I"d like hi'],
  ['str_top_middle_quotes_single', "I like '${str}'", "I like 'hi'"],
  ['str_top_middle_quotes_double', 'I like "${str}"', 'I like "hi"'],
  ['str_top_any_char', `\${str} ${UNQUOTED_SPECIAL}^!#&})][({,;`, `hi ${UNQUOTED_SPECIAL}^!#&})][({,;`],
  ['str_top_esc_inter', 'Esc: \\${str}', 'Esc: ${str}'],
  ['str_top_esc_inter_wrong_1', 'Wrong: $\\{str\\}', 'Wrong: $\\{str\\}'],
  ['str_top_esc_inter_wrong_2', 'Wrong: \\${str\\}', 'Wrong: ${str\\}'],
  ['str_top_esc_backslash_1', 'Esc: \\\\${str}', 'Esc: \\hi'],
  ['str_top_esc_backslash_2', 'Esc: \\\\\\\\${str}', 'Esc: \\\\hi'],
  ['str_top_quoted_braces_wrong', 'Wrong: \\{${str}\\}', 'Wrong: \\{hi\\}'],
  ['str_top_leading_dollars', '$$${str}', '$$hi'],
  ['str_top_trailing_dollars', '${str}$$$$', 'hi$$$$'],
  ['str_top_leading_escapes_1', '\\\\\\\\\\${str}', '\\\\${str}'],
  ['str_top_leading_escapes_2', '\\\\\\\\ \\${str}', '\\\\\\\\ ${str}'],
  ['str_top_middle_escapes_1', 'abc\\\\\\\\\\${str}', 'abc\\\\${str}'],
  ['str_top_middle_escapes_2', 'abc\\\\\\\\ \\${str}', 'abc\\\\\\\\ ${str}'],
  ['str_top_trailing_escapes', '${str}\\\\\\', 'hi\\\\\\'],
  ['str_top_concat_interpolations', '${null}${float}', 'None1.2'],
  ['str_top_issue_617', ' ${test: "hi\\\\" }"} ', ' hi\\"} '],
  ['ws_toplevel', '  \tab  ${str} cd  ${int}\t', '  \tab  hi cd  123\t'],
  ['missing_brace_1', '${test:${str}', SYNTAX],
  ['missing_brace_2', '${${test:str}', SYNTAX],
  ['extra_brace', '${str}}', 'hi}'],
  // trap 7: only backslashes right before ${ pair up at top level
  ['windows_path', 'C:\\\\temp\\\\${int}', 'C:\\\\temp\\123'],
];

function registry(definition: string) {
  const resolvers = createDefaultResolvers();
  // OmegaConf's test resolvers: `test` gives its argument (or the list of them), `first` the first key.
  const testFn = (args: Node[]) => (args.length === 1 ? (args[0] as Node) : listNode(args.map((a) => cloneNode(a))));
  resolvers.register('test', testFn);
  resolvers.register('ns1.ns2.test', testFn);
  resolvers.register('first', (args) => {
    const d = args[0];
    const e = d?.kind === 'dict' ? [...d.entries.values()][0] : undefined;
    return e ? { kind: 'value', value: e.key, ...(e.keyFloat ? { float: true } : {}) } : null;
  });
  // `def` hands back the definition as a plain string (a resolver result is never re-parsed).
  resolvers.register('def', () => definition);
  return resolvers;
}

function evaluate(value: string, definition: string): unknown {
  const root = tree({ ...BASE_TEST_CFG, out: value });
  const node = selectNode(root, 'out', context({ resolvers: registry(definition) }));
  return node && encode(node);
}

function check(expected: unknown, run: () => unknown): void {
  if (expected instanceof Err) expect(thrown(run).code).toBe(expected.code);
  else expect(run()).toEqual(expected);
}

describe('OmegaConf grammar: singleElement without interpolation', () => {
  it.each(SINGLE_ELEMENT_NO_INTERPOLATION.map(([name, definition, expected]) => ({ name, definition, expected })))('$name', ({ definition, expected }) => {
    check(expected, () => evaluate('${oc.decode:${def:}}', definition));
  });
});

describe('OmegaConf grammar: singleElement with interpolations', () => {
  it.each(SINGLE_ELEMENT_WITH_INTERPOLATION.map(([name, definition, expected]) => ({ name, definition, expected })))('$name', ({ definition, expected }) => {
    check(expected, () => evaluate('${oc.decode:${def:}}', definition));
  });
});

describe('OmegaConf grammar: configValue', () => {
  it.each(CONFIG_VALUE.map(([name, definition, expected]) => ({ name, definition, expected })))('$name', ({ definition, expected }) => {
    check(expected, () => evaluate(definition, ''));
  });
});
