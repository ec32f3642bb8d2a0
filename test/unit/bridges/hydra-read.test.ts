import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { parseHydraNode } from '../../../src/bridges/hydra/read-hydra-run.js';
import { isValidName, safeName } from '../../../src/bridges/mlflow/limits.js';
import { repoRoot } from '../../helpers/run-cli.js';

const PROJECT = join(repoRoot, 'test', 'fixtures', 'hydra', 'project');

describe('parseHydraNode', () => {
  it.each([
    'outputs/2026-11-20/09-00-00/.hydra/hydra.yaml',
    'outputs/2026-11-20/09-05-00/.hydra/hydra.yaml',
    'multirun/2026-11-21/10-00-00/0/.hydra/hydra.yaml',
    'multirun/2026-11-21/10-00-00/1/.hydra/hydra.yaml',
  ])('reads the sections an import uses of %s exactly as a full YAML parse does', (file) => {
    const text = readFileSync(join(PROJECT, file), 'utf8');
    const full = (parse(text) as { hydra: Record<string, unknown> }).hydra;
    const fast = parseHydraNode(text);
    for (const section of ['mode', 'job', 'runtime', 'sweep']) expect(fast[section], section).toEqual(full[section]);
  });

  it('falls back to a full parse for a file of another shape', () => {
    const text = 'hydra: {job: {name: app, num: 3}, runtime: {cwd: /p}}\n';
    expect(parseHydraNode(text)).toEqual({ job: { name: 'app', num: 3 }, runtime: { cwd: '/p' } });
  });
});

describe('MLflow names (validation.py: _VALID_PARAM_AND_METRIC_NAMES, path_not_unique, MAX_ENTITY_KEY_LENGTH)', () => {
  it.each([
    { name: 'dotted', key: 'optimizer.lr', valid: true, safe: 'optimizer.lr' },
    { name: 'slash, dash, space', key: 'val/loss-avg x', valid: true, safe: 'val/loss-avg x' },
    { name: 'unicode letters', key: 'température', valid: true, safe: 'température' },
    { name: 'colon', key: 'a:b', valid: false, safe: 'a_b' },
    { name: 'leading slash', key: '/abs', valid: false, safe: '_/abs' },
    { name: 'parent step', key: 'a/../b', valid: false, safe: 'a/_/b' },
    { name: 'double slash', key: 'a//b', valid: false, safe: 'a/_/b' },
    { name: 'empty', key: '', valid: false, safe: '_' },
    { name: '251 characters', key: 'x'.repeat(251), valid: false, safe: 'x'.repeat(250) },
  ])('$name', ({ key, valid, safe }) => {
    expect(isValidName(key)).toBe(valid);
    expect(safeName(key)).toBe(safe);
    expect(isValidName(safeName(key))).toBe(true);
  });
});
