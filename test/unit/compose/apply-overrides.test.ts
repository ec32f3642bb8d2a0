import { describe, expect, it } from 'vitest';
import { applyConfigOverrides, type ConfigOverride } from '../../../src/compose/apply-overrides.js';
import { loadYaml } from '../../../src/yaml/load.js';
import { TrellisError } from '../../../src/errors/index.js';
import { fromPlain, valueNode, type DictNode } from '../../../src/tree/node.js';
import { tagged } from '../../helpers/plain.js';

const config = () => loadYaml('trainer:\n  epochs: 10\n  devices: [0, 1]\nname: run\nseed: null\nkey: ???\n', 'config.yaml').root as DictNode;
const o = (type: ConfigOverride['type'], key: string, value?: unknown, text = `${key}`): ConfigOverride => ({
  text,
  index: 0,
  type,
  key,
  value: value === undefined ? undefined : fromPlain(value),
});

describe('applyConfigOverrides (Hydra struct-mode rules)', () => {
  it.each([
    { name: 'change a nested value', overrides: [o('change', 'trainer.epochs', 3)], expected: { trainer: { epochs: 3 } } },
    { name: 'set a list element by index', overrides: [o('change', 'trainer.devices.1', 7)], expected: { trainer: { devices: [0, 7] } } },
    { name: 'replace a list', overrides: [o('change', 'trainer.devices', [5])], expected: { trainer: { devices: [5] } } },
    { name: 'add a new key with +', overrides: [o('add', 'tag', 'x')], expected: { tag: 'x' } },
    { name: 'add a nested key with + creates parents', overrides: [o('add', 'a.b.c', 1)], expected: { a: { b: { c: 1 } } } },
    { name: '+ on a null value is allowed', overrides: [o('add', 'seed', 3)], expected: { seed: 3 } },
    { name: '+ on ??? is allowed', overrides: [o('add', 'key', 'k')], expected: { key: 'k' } },
    { name: '++ sets an existing key', overrides: [o('force-add', 'name', 'forced')], expected: { name: 'forced' } },
    { name: '++ creates a missing key', overrides: [o('force-add', 'trainer.accumulate', 4)], expected: { trainer: { accumulate: 4 } } },
    { name: 'a dict merges into a node', overrides: [o('change', 'trainer', { epochs: 1 })], expected: { trainer: { epochs: 1, devices: [0, 1] } } },
    { name: '++ merges a dict with new keys', overrides: [o('force-add', 'trainer', { extra: true })], expected: { trainer: { epochs: 10, extra: true } } },
    { name: '~ deletes a key', overrides: [o('delete', 'name')], expected: { name: undefined } },
    { name: '~ with the matching value deletes', overrides: [o('delete', 'trainer.epochs', 10)], expected: { trainer: { devices: [0, 1] } } },
    { name: 'a scalar replaces a dict', overrides: [o('change', 'trainer', 'off')], expected: { trainer: 'off' } },
  ])('$name', ({ overrides, expected }) => {
    const root = config();
    applyConfigOverrides(root, overrides);
    const result = tagged(root) as Record<string, unknown>;
    for (const [k, v] of Object.entries(expected)) {
      if (v === undefined) expect(result).not.toHaveProperty(k);
      else if (typeof v === 'object' && v !== null && !Array.isArray(v) && typeof result[k] === 'object') expect(result[k]).toMatchObject(v);
      else expect(result[k]).toEqual(v);
    }
  });

  it('keeps floats from override values', () => {
    const root = config();
    applyConfigOverrides(root, [{ text: 'trainer.epochs=1.0', index: 0, type: 'change', key: 'trainer.epochs', value: valueNode(1, true) }]);
    expect(tagged(root)).toMatchObject({ trainer: { epochs: { $float: 1 } } });
  });

  const errors = [
    {
      name: 'unknown key',
      override: o('change', 'trainer.epoch', 5, 'trainer.epoch=5'),
      code: 'OVERRIDE_KEY_MISSING',
      hint: /did you mean 'epochs'.*\+trainer\.epoch=5/,
    },
    { name: 'unknown parent', override: o('change', 'model.lr', 5, 'model.lr=5'), code: 'OVERRIDE_KEY_MISSING', hint: /\+model\.lr=5/ },
    {
      name: 'new key inside a merged dict',
      override: o('change', 'trainer', { extra: 1 }, 'trainer={extra:1}'),
      code: 'OVERRIDE_KEY_MISSING',
      hint: /\+\+trainer=\{extra:1\}/,
    },
    { name: '+ on an existing value', override: o('add', 'name', 'x', '+name=x'), code: 'OVERRIDE_KEY_EXISTS', hint: /'name=x'.*'\+\+name=x'/ },
    { name: '~ of a missing key', override: o('delete', 'nope', undefined, '~nope'), code: 'OVERRIDE_KEY_MISSING' },
    { name: '~ of a null value (Hydra: does not exist)', override: o('delete', 'seed', undefined, '~seed'), code: 'OVERRIDE_KEY_MISSING' },
    { name: '~ with a different value', override: o('delete', 'name', 'other', '~name=other'), code: 'OVERRIDE_VALUE_MISMATCH' },
    { name: 'list index out of range', override: o('change', 'trainer.devices.5', 1, 'trainer.devices.5=1'), code: 'OVERRIDE_INVALID' },
    { name: 'a mapping into a list', override: o('change', 'trainer.devices', { a: 1 }, 'trainer.devices={a:1}'), code: 'MERGE_TYPE' },
    { name: '__proto__ key', override: o('force-add', '__proto__', 1, '++__proto__=1'), code: 'UNSAFE_KEY' },
  ];
  it.each(errors)('error: $name', ({ override, code, hint }) => {
    try {
      applyConfigOverrides(config(), [override]);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(TrellisError);
      const error = e as TrellisError;
      expect(error.code).toBe(code);
      expect(error.where).toEqual({ kind: 'override', text: override.text, index: 0 });
      if (hint) expect(error.hint).toMatch(hint);
    }
  });

  it('reports every bad override at once', () => {
    try {
      applyConfigOverrides(config(), [o('change', 'a', 1, 'a=1'), { ...o('change', 'b', 2, 'b=2'), index: 1 }]);
      expect.unreachable();
    } catch (e) {
      expect((e as TrellisError).all().map((x) => x.where)).toEqual([
        { kind: 'override', text: 'a=1', index: 0 },
        { kind: 'override', text: 'b=2', index: 1 },
      ]);
    }
  });
  it('does not touch Object.prototype', () => {
    try {
      applyConfigOverrides(config(), [o('force-add', '__proto__.polluted', 1)]);
    } catch {
      // rejected either way
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
