/**
 * Inputs that crashed, hung or ran out of memory before (issue 22), each with the TrellisError it
 * now gives. A crash the fuzz suite finds goes here as a named row.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createResolveContext } from '../../src/config-dir/resolve.js';
import { TrellisError, type ErrorCode } from '../../src/errors/index.js';
import { resolveTree } from '../../src/interpolate/index.js';
import { parseOverride, sweepValueTexts } from '../../src/overrides/index.js';
import { createRng } from '../../src/run/seeds.js';
import { openStore } from '../../src/store/open-store.js';
import { parseQuery } from '../../src/store/query-parse.js';
import { queryRuns } from '../../src/store/query-runs.js';
import { readYamlRecord } from '../../src/store/read-yaml.js';
import { randomSweeper } from '../../src/sweep/index.js';
import { loadYaml } from '../../src/yaml/load.js';
import { tmpDir } from '../helpers/tmp-dir.js';
import { writeRun } from '../unit/store/synthetic-runs.js';

const sweep = (text: string) => () => {
  const texts = sweepValueTexts(parseOverride(text), { random: () => 0.5 });
  return texts.length > 0 ? texts.at(0) : undefined;
};
const resolve = (yaml: string) => () => resolveTree(loadYaml(yaml, 'c.yaml').root, createResolveContext({ env: {} }));
const keys = (n: number, line: (i: number) => string) => Array.from({ length: n }, (_, i) => line(i)).join('\n');
const chain = (n: number) => `${keys(n, (i) => `k${i}: \${k${i + 1}}`)}\nk${n}: 1`;

interface Row {
  name: string;
  run: () => unknown;
  code: ErrorCode;
  /** Part of the message: which limit, what was found. */
  message: RegExp;
  keyPath?: string;
}

const rows: Row[] = [
  // sweeps: RangeError 'not finite' from the decimal helper, 'Invalid array length', out of memory
  {
    name: 'range to 1e400',
    run: sweep('x=range(0,1e400)'),
    code: 'SWEEP_INVALID',
    message: /range\(\) needs finite numbers, got stop=inf in 'x=range\(0,1e400\)'/,
  },
  { name: 'range from -inf', run: sweep('x=range(-inf,1,0.5)'), code: 'SWEEP_INVALID', message: /got start=-inf/ },
  { name: 'range with a nan step', run: sweep('x=range(0,1,nan)'), code: 'SWEEP_INVALID', message: /got step=nan/ },
  { name: 'sorted range to 1e400', run: sweep('x=sort(range(0,1e400))'), code: 'SWEEP_INVALID', message: /finite numbers/ },
  { name: 'range with a step lost to underflow', run: sweep('x=range(0,1e308,1e-308)'), code: 'SWEEP_INVALID', message: /more than 1000000/ },
  {
    name: 'shuffle of a billion ints',
    run: sweep('x=shuffle(range(0,1000000000))'),
    code: 'SWEEP_INVALID',
    message: /would build 1000000000 values .*more than the limit of 1000000/,
  },
  { name: 'shuffle of 5e9 ints', run: sweep('x=shuffle(range(0,5000000000))'), code: 'SWEEP_INVALID', message: /would build 5000000000 values/ },
  {
    name: 'random sweep over interval(-inf,1)',
    run: () => randomSweeper({ overrides: ['x=interval(-inf,1)'] }, { trials: 1, seed: 1, rng: createRng(1) }),
    code: 'SWEEP_INVALID',
    message: /not a finite number/,
    keyPath: 'x',
  },
  // override keys that reach the prototype
  { name: '+__proto__.x=1', run: () => parseOverride('+__proto__.x=1'), code: 'UNSAFE_KEY', message: /'__proto__' is not allowed/ },
  { name: 'a@__proto__=1', run: () => parseOverride('a@__proto__=1'), code: 'UNSAFE_KEY', message: /'__proto__' is not allowed/ },
  { name: 'dict value with a __proto__ key', run: () => parseOverride('+a={__proto__:1}'), code: 'UNSAFE_KEY', message: /'__proto__' is not allowed/ },
  // query nesting: RangeError 'Maximum call stack size exceeded'
  {
    name: '7000 nested parentheses',
    run: () => parseQuery(`${'('.repeat(7000)}a = 1${')'.repeat(7000)}`),
    code: 'QUERY_SYNTAX',
    message: /more than 200 levels/,
  },
  { name: "7000 'not's", run: () => parseQuery(`${'not '.repeat(7000)}a = 1`), code: 'QUERY_SYNTAX', message: /more than 200 levels/ },
  // interpolation: stack overflow, 'Invalid string length' after 561 MB
  {
    name: 'a chain of 1000 references',
    run: resolve(chain(1000)),
    code: 'INTERPOLATION_LIMIT',
    message: /from 'k0' through more than 200 values/,
    keyPath: 'k199',
  },
  {
    name: '1800 nested containers through interpolation',
    run: resolve(`${keys(1800, (i) => `k${i}: ['\${k${i + 1}}']`)}\nk1800: 1`),
    code: 'INTERPOLATION_LIMIT',
    message: /more than 500 levels deep, from 'k0\[0\]' to 'k499'/,
  },
  {
    name: 'a string doubled through 31 keys',
    run: resolve(['a0: xx', ...Array.from({ length: 30 }, (_, i) => `a${i + 1}: \${a${i}}\${a${i}}`)].join('\n')),
    code: 'INTERPOLATION_LIMIT',
    message: /'a23' would be 16777216 characters long, more than the limit of 10000000/,
    keyPath: 'a23',
  },
  {
    name: 'a list doubled through 40 keys',
    run: resolve(['a0: [1]', ...Array.from({ length: 40 }, (_, i) => `a${i + 1}: ['\${a${i}}', '\${a${i}}']`)].join('\n')),
    code: 'INTERPOLATION_LIMIT',
    message: /more than 1000000 values/,
  },
  // YAML size and nesting: 15 s and 2.2 GB, a misleading hint, a stack overflow, a process abort
  {
    name: 'a 15 MB config',
    run: () => loadYaml(`a: ${'x'.repeat(15_000_000)}`, 'big.yaml'),
    code: 'YAML_LIMIT',
    message: /big.yaml is 14.3 MiB \(15000003 bytes\), more than the 1.0 MiB limit/,
  },
  {
    name: 'plain values over the value limit',
    run: () => loadYaml('[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]', 'plain.yaml', { maxBytes: 1000, maxDepth: 10, maxNodes: 10 }),
    code: 'YAML_LIMIT',
    message: /^plain.yaml holds more than 10 values \(the limit for one YAML text\)$/,
  },
  {
    name: 'aliases over the alias limit',
    run: () => loadYaml('a: &a [1, 2, 3]\nb: [*a, *a, *a, *a]', 'bomb.yaml', { maxBytes: 1000, maxDepth: 10, maxNodes: 100, maxAliasNodes: 10 }),
    code: 'YAML_LIMIT',
    message: /^Aliases in bomb.yaml repeat more than 10 values/,
  },
  {
    name: '100,000 open brackets',
    run: () => loadYaml(`a: ${'['.repeat(100_000)}`, 'deep.yaml'),
    code: 'YAML_LIMIT',
    message: /about 100001 levels deep, more than the limit of 256/,
  },
  { name: '3000 compact sequence items', run: () => loadYaml(`${'- '.repeat(3000)}1`, 'deep.yaml'), code: 'YAML_LIMIT', message: /more than the limit of 256/ },
  {
    name: 'a run record nested 16,000 deep (aborted the process)',
    run: () => readYamlRecord(`${'{"a":'.repeat(16_000)}1${'}'.repeat(16_000)}`, 'resolved.yaml'),
    code: 'YAML_LIMIT',
    message: /more than the limit of 256/,
  },
];

describe('regressions: each input gives its TrellisError', () => {
  it.each(rows)('$name', ({ run, code, message, keyPath }) => {
    const start = performance.now();
    let error: unknown;
    try {
      run();
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(TrellisError);
    const e = error as TrellisError;
    expect(e.code).toBe(code);
    expect(e.message).toMatch(message);
    expect(e.hint).toBeTruthy();
    if (code === 'YAML_LIMIT' && !/alias/i.test(e.message)) expect(e.hint).not.toMatch(/billion/);
    if (keyPath !== undefined) expect(e.keyPath).toBe(keyPath);
    expect(performance.now() - start).toBeLessThan(5_000);
  });
});

describe('regressions: what must work', () => {
  it('a chain of 150 references resolves', () => {
    const root = resolveTree(loadYaml(chain(150), 'c.yaml').root, createResolveContext({ env: {} }));
    expect(root.kind === 'dict' && root.entries.get('k0')?.node).toMatchObject({ kind: 'value', value: 1 });
  });

  it('a query chaining 20,000 conditions with and/or is evaluated', () => {
    const root = tmpDir();
    writeRun(join(root, 'r1'), { id: 'r1' });
    const store = openStore([root], { index: false, cwd: root });
    const query = `${'optimizer.name = adam and '.repeat(10_000)}${'status = failed or '.repeat(10_000)}seed = 1`;
    expect(queryRuns(store, query, { cwd: root }).runs).toHaveLength(1);
  });

  it('nesting up to the limits parses', () => {
    expect(() => parseQuery(`${'('.repeat(200)}a = 1${')'.repeat(200)}`)).not.toThrow();
    expect(() => loadYaml(`a: ${'['.repeat(250)}${']'.repeat(250)}`, 'c.yaml')).not.toThrow();
  });
});
