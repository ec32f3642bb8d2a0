/**
 * Hydra/OmegaConf compatibility: every recorded case under fixtures/hydra-compat and
 * fixtures/omegaconf-compat composes to exactly what the real Hydra 1.3.2 / OmegaConf 2.2.2 gave.
 * Comparison is strict: ints and floats differ, big ints keep every digit, non-string keys keep
 * their type (see fixtures/case-format.md for the encoding).
 */
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { composeFromDir, resolveComposition } from '../src/config-dir/compose-dir.js';
import { expandJobs } from '../src/config-dir/multirun.js';
import { selectPath } from '../src/config-dir/select.js';
import { TrellisError } from '../src/errors/index.js';
import { tagged } from './helpers/plain.js';
import { readYaml11 } from './helpers/yaml11-read.js';
import { toYamlText } from '../src/tree/emit.js';
import { loadYaml } from '../src/yaml/load.js';

const fixtures = join(import.meta.dirname, 'fixtures');

interface Case {
  description: string;
  config_name?: string;
  overrides?: string[];
  layers?: string[];
  env?: Record<string, string>;
  multirun?: boolean;
  select?: string;
  expect: { config?: unknown; value?: unknown; error?: string; jobs?: string[][]; configs?: unknown[] };
}

/** Case encoding → the tagged form of test/helpers/plain.ts. */
function decode(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(decode);
  if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    const keys = Object.keys(o);
    if (keys.length === 1 && keys[0] === '$float') {
      const text = String(o.$float);
      return { $float: ({ inf: Infinity, '-inf': -Infinity, nan: NaN } as Record<string, number>)[text] ?? Number(text) };
    }
    if (keys.length === 1 && keys[0] === '$int') {
      const n = BigInt(String(o.$int));
      return n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : { $int: n.toString() };
    }
    if (keys.length === 1 && keys[0] === '$map') {
      const out: Record<string, unknown> = {};
      for (const [k, x] of o.$map as Array<[unknown, unknown]>) {
        const key = decode(k);
        const name =
          typeof key === 'string'
            ? key
            : key !== null && typeof key === 'object' && '$float' in key
              ? `<number>${String((key as { $float: number }).$float)}`
              : `<${typeof key}>${String(key)}`;
        out[name] = decode(x);
      }
      return out;
    }
    return Object.fromEntries(keys.map((k) => [k, decode(o[k])]));
  }
  return v;
}

/**
 * Hydra cases write floats as JSON numbers with a point or exponent (`1.0`); mark those as
 * `{"$float": …}` before JSON.parse drops the difference. Strings are matched first and kept.
 */
function tagFloats(json: string): string {
  return json.replace(/"(?:[^"\\]|\\.)*"|-?Infinity|NaN|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/g, (token) => {
    if (token.startsWith('"')) return token;
    if (/^-?Infinity$|^NaN$/.test(token)) return `{"$float": "${token.replace('Infinity', 'inf').replace('NaN', 'nan')}"}`;
    return /[.eE]/.test(token) ? `{"$float": "${token}"}` : token;
  });
}

function cases(suite: string): Array<[string, Case]> {
  const dir = join(fixtures, suite);
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => {
      const text = readFileSync(join(dir, d.name, 'case.json'), 'utf8');
      return [d.name, JSON.parse(suite === 'hydra-compat' ? tagFloats(text) : text) as Case];
    });
}

function outcome(confDir: string, c: Case, configName: string): { value?: unknown; jobs?: string[][]; configs?: unknown[]; error?: unknown } {
  const env = { ...c.env };
  const base = { configDir: confDir, configName, cwd: confDir, env };
  try {
    if (c.multirun) {
      const jobs = [...expandJobs({ ...base, overrides: c.overrides ?? [] })];
      const configs = jobs.map((job) => tagged(resolveComposition(composeFromDir({ ...base, overrides: job }), { env })));
      return { jobs, configs };
    }
    const composition = composeFromDir({ ...base, overrides: c.overrides ?? [] });
    if (c.select !== undefined) {
      const node = selectPath(composition.config, c.select, { env, runtime: composition.runtime, choices: composition.choices, resolve: true });
      return { value: node === undefined ? undefined : tagged(node) };
    }
    return { value: tagged(resolveComposition(composition, { env })) };
  } catch (error) {
    return { error };
  }
}

function check(c: Case, got: ReturnType<typeof outcome>): void {
  if (c.expect.error !== undefined) {
    expect(got.error, `expected ${c.expect.error}`).toBeInstanceOf(TrellisError);
    return;
  }
  if (got.error) throw got.error;
  if (c.expect.jobs) {
    expect(got.jobs).toEqual(c.expect.jobs);
    expect(got.configs).toEqual(decode(c.expect.configs));
    return;
  }
  expect(got.value).toEqual(decode(c.expect.value !== undefined ? c.expect.value : c.expect.config));
}

describe('Hydra 1.3.2 recorded cases', () => {
  it.each(cases('hydra-compat'))('%s', (name, c) => {
    check(c, outcome(join(fixtures, 'hydra-compat', name, 'conf'), c, c.config_name ?? 'config'));
  });
});

describe('OmegaConf 2.2.2 recorded cases (layers merged in order)', () => {
  it.each(cases('omegaconf-compat'))('%s', (name, c) => {
    const tmp = mkdtempSync(join(tmpdir(), 'trellis-compat-'));
    try {
      for (const layer of c.layers ?? []) cpSync(join(fixtures, 'omegaconf-compat', name, layer), join(tmp, layer));
      const names = (c.layers ?? []).map((l) => l.replace(/\.yaml$/, ''));
      writeFileSync(join(tmp, 'primary__.yaml'), `defaults:\n${names.map((n) => `  - ${n}\n`).join('')}  - _self_\n`);
      check(c, outcome(tmp, c, 'primary__'));
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });
});

/**
 * What trellis writes (config.yaml, resolved.yaml, compose output) is read by PyYAML and OmegaConf
 * in Python: every value of every recorded case must come back with the same type there.
 */
describe('the YAML trellis writes reads back the same in Python (YAML 1.1)', () => {
  const all = [
    ...cases('hydra-compat').map(([name, c]) => ({ suite: 'hydra', name, c })),
    ...cases('omegaconf-compat').map(([name, c]) => ({ suite: 'omegaconf', name, c })),
  ]
    .filter(({ c }) => c.expect.error === undefined && !c.multirun && c.select === undefined)
    .flatMap((x) => (['pyyaml', 'omegaconf'] as const).map((reader) => ({ ...x, reader })));
  it.each(all)('$suite/$name through $reader', ({ suite, name, c, reader }) => {
    const env = { ...c.env };
    const compose = (dir: string, configName: string) =>
      resolveComposition(composeFromDir({ configDir: dir, configName, cwd: dir, env, overrides: c.overrides ?? [] }), { env });
    let resolved;
    if (suite === 'hydra') resolved = compose(join(fixtures, 'hydra-compat', name, 'conf'), c.config_name ?? 'config');
    else {
      const tmp = mkdtempSync(join(tmpdir(), 'trellis-compat-'));
      try {
        for (const layer of c.layers ?? []) cpSync(join(fixtures, 'omegaconf-compat', name, layer), join(tmp, layer));
        const names = (c.layers ?? []).map((l) => l.replace(/\.yaml$/, ''));
        writeFileSync(join(tmp, 'primary__.yaml'), `defaults:\n${names.map((n) => `  - ${n}\n`).join('')}  - _self_\n`);
        resolved = compose(tmp, 'primary__');
      } finally {
        rmSync(tmp, { recursive: true, force: true });
      }
    }
    expect(readYaml11(toYamlText(resolved), reader)).toEqual(tagged(resolved));
  });

  it.each([
    { name: 'floats in exponent form', value: 'x: 1.0e-08\ny: 1.0e+20\nz: -2.5e-07\n' },
    { name: 'strings that YAML 1.1 types', value: "a: 'yes'\nb: 'off'\nc: '010'\nd: '1:20'\ne: '2026-01-01'\nf: '0x1F'\ng: '1e-08'\nh: '~'\n" },
    { name: 'missing values', value: 'a: ???\n' },
  ])('$name', ({ value }) => {
    const root = loadYaml(value, 'case.yaml').root;
    for (const reader of ['pyyaml', 'omegaconf'] as const) expect(readYaml11(toYamlText(root), reader)).toEqual(tagged(root));
  });
});
