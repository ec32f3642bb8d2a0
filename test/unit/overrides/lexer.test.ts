import { describe, expect, it } from 'vitest';
import { tokenize } from '../../../src/overrides/lexer.js';

// OverrideLexer.g4 (Hydra 1.3): longest match wins, the earlier rule on a tie; KEY mode until
// the first '=', VALUE mode after it.

describe('tokenize', () => {
  it.each([
    { name: 'dot path key', input: 'a.b=1', expected: ['DOT_PATH:a.b', 'EQUAL:=', 'INT:1'] },
    { name: 'delete group@package', input: '~db@pkg', expected: ['TILDE:~', 'ID:db', 'AT:@', 'ID:pkg'] },
    { name: 'force add', input: '++a=1', expected: ['PLUS:+', 'PLUS:+', 'ID:a', 'EQUAL:=', 'INT:1'] },
    { name: 'dashes in a key id', input: 'a-b=1', expected: ['ID:a-b', 'EQUAL:=', 'INT:1'] },
    { name: 'dollar key', input: '$x=1', expected: ['KEY_SPECIAL:$x', 'EQUAL:=', 'INT:1'] },
    { name: 'dollar dot path', input: '$x.y=1', expected: ['DOT_PATH:$x.y', 'EQUAL:=', 'INT:1'] },
    { name: 'group path', input: 'a/b=c', expected: ['ID:a', 'SLASH:/', 'ID:b', 'EQUAL:=', 'ID:c'] },
    { name: 'the key = takes the spaces after it', input: 'k=  1', expected: ['ID:k', 'EQUAL:=  ', 'INT:1'] },
    { name: 'commas take spaces on both sides', input: 'k=1 , 2', expected: ['ID:k', 'EQUAL:=', 'INT:1', 'COMMA: , ', 'INT:2'] },
    { name: 'exponent float beats int', input: 'k=1e3', expected: ['ID:k', 'EQUAL:=', 'FLOAT:1e3'] },
    { name: 'inf is a float, not an id', input: 'k=inf', expected: ['ID:k', 'EQUAL:=', 'FLOAT:inf'] },
    { name: 'a longer id beats inf', input: 'k=info', expected: ['ID:k', 'EQUAL:=', 'ID:info'] },
    { name: 'true is a bool', input: 'k=TRUE', expected: ['ID:k', 'EQUAL:=', 'BOOL:TRUE'] },
    { name: 'true1 is an id', input: 'k=true1', expected: ['ID:k', 'EQUAL:=', 'ID:true1'] },
    { name: '007 is three ints', input: 'k=007', expected: ['ID:k', 'EQUAL:=', 'INT:0', 'INT:0', 'INT:7'] },
    { name: 'signed inf', input: 'k=-inf', expected: ['ID:k', 'EQUAL:=', 'FLOAT:-inf'] },
    { name: 'escapes form one token', input: 'k=\\,\\ ', expected: ['ID:k', 'EQUAL:=', 'ESC:\\,\\ '] },
    { name: 'quoted value with escaped quote', input: "k='a\\'b'", expected: ['ID:k', 'EQUAL:=', "QUOTED_VALUE:'a\\'b'"] },
    { name: 'interpolation ends at the first }', input: 'k=${a.${b}}', expected: ['ID:k', 'EQUAL:=', 'INTERPOLATION:${a.${b}', 'BRACE_CLOSE:}'] },
    { name: 'function with a space', input: 'k=f (x)', expected: ['ID:k', 'EQUAL:=', 'ID:f', 'POPEN: (', 'ID:x', 'PCLOSE:)'] },
    { name: 'inner whitespace', input: 'k=a b', expected: ['ID:k', 'EQUAL:=', 'ID:a', 'WS: ', 'ID:b'] },
    { name: 'argument name', input: 'k=f(x = 1)', expected: ['ID:k', 'EQUAL:=', 'ID:f', 'POPEN:(', 'ID:x', 'EQUAL: = ', 'INT:1', 'PCLOSE:)'] },
    { name: 'non-ASCII stops the lexer', input: 'k=é1', expected: ['ID:k', 'EQUAL:=', 'ERROR:é'] },
    { name: 'no whitespace in keys', input: 'a b=1', expected: ['ID:a', 'ERROR: '] },
  ])('$name', ({ input, expected }) => {
    const tokens = tokenize(input).filter((t) => t.type !== 'EOF');
    expect(tokens.map((t) => `${t.type}:${t.text}`)).toEqual(expected);
  });

  it('records offsets', () => {
    expect(tokenize('ab=[1]').map((t) => [t.start, t.end])).toEqual([
      [0, 2],
      [2, 3],
      [3, 4],
      [4, 5],
      [5, 6],
      [6, 6],
    ]);
  });
});
