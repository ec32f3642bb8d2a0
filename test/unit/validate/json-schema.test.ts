import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { configJsonSchemas } from '../../../src/validate/json-schema.js';
import { loadYaml } from '../../../src/yaml/load.js';
import { toPlain } from '../../../src/tree/node.js';
import { app } from '../../../examples/train.js';
import { repoRoot } from '../../helpers/run-cli.js';

const confDir = join(repoRoot, 'conf');

function yamlFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? yamlFiles(path) : name.endsWith('.yaml') ? [path] : [];
  });
}

const groups = ['dataset', 'model', 'optimizer', 'trainer'];
const schemas = configJsonSchemas(app.options.schema!, groups);
const ajv = new Ajv({ strict: false, allErrors: true });

function check(schema: object, data: unknown) {
  const validate = ajv.compile(schema);
  return validate(data) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ''}`);
}

describe('JSON Schema for YAML editors', () => {
  it('writes a schema for the primary config and each group', () => {
    expect(Object.keys(schemas.groups).sort()).toEqual(groups);
  });

  it.each(yamlFiles(confDir).map((f) => relative(confDir, f)))('accepts conf/%s', (file) => {
    const data = toPlain(loadYaml(readFileSync(join(confDir, file), 'utf8'), file).root);
    const group = file.includes('/') ? file.slice(0, file.lastIndexOf('/')) : undefined;
    expect(check(group ? schemas.groups[group]! : schemas.primary, data)).toEqual([]);
  });

  it.each([
    { name: 'a typo in a key', group: 'trainer', data: { epochz: 3 } },
    { name: 'a string where a number belongs', group: 'trainer', data: { epochs: 'three' } },
    { name: 'a value out of range', group: 'optimizer', data: { name: 'sgd', momentum: 2 } },
    { name: 'an unknown enum value', group: 'model', data: { name: 'transformer' } },
  ])('rejects $name', ({ group, data }) => {
    expect(check(schemas.groups[group]!, data)).not.toEqual([]);
  });

  it('accepts interpolations and ??? wherever a value goes, and keeps descriptions', () => {
    const schema = z.strictObject({ lr: z.number().describe('learning rate'), n: z.number() });
    const { primary } = configJsonSchemas(schema, []);
    expect(check(primary, { lr: '${base.lr}', n: '???' })).toEqual([]);
    expect(check(primary, { lr: 'fast' })).not.toEqual([]);
    expect(JSON.stringify(primary)).toContain('learning rate');
  });
});
