import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync, appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { runMlflowExport } from '../../../src/bridges/mlflow/export-command.js';
import type { CliIo } from '../../../src/cli/io.js';
import { repoRoot } from '../../helpers/run-cli.js';
import { tmpDir } from '../../helpers/tmp-dir.js';
import { writeRun, type SyntheticRun } from '../store/synthetic-runs.js';

const FIXTURE = join(repoRoot, 'test', 'fixtures', 'mlflow', 'single-run');
const RUN_ID = 'f29db42669a71089b7a576b03da37b3e';

function io(cwd: string): CliIo & { out: string[] } {
  const out: string[] = [];
  return { out, stdout: (t) => out.push(t), stderr: (t) => out.push(t), env: {}, cwd, color: false };
}

async function exportMlflow(cwd: string, words: string[] = [], flags: Record<string, string> = {}) {
  const sink = io(cwd);
  const code = await runMlflowExport({ flags: { format: 'json', ...flags }, overrides: ['mlflow', ...words] }, sink);
  expect(code).toBe(0);
  return JSON.parse(sink.out.join('')) as {
    experiment: { id: string; name: string };
    runs: Array<{ mlflow_run_id: string; name: string; parent: string | null }>;
  };
}

const singleRun: SyntheticRun = {
  id: '20261120-100000-aaaaaa',
  resolved: { optimizer: { name: 'adam', lr: 0.01 }, seed: 1, layers: [64, 32], 'bad:key': 'x' },
  overrides: ['optimizer.lr=0.01', 'seed=1'],
  tags: ['baseline', 'iris'],
  notes: ['first try', 'second note'],
  metricsJsonl: readFileSync(join(FIXTURE, 'input', 'metrics.jsonl'), 'utf8'),
};

function project(runs: Array<[string, SyntheticRun]>): string {
  const root = tmpDir();
  for (const [dir, r] of runs) writeRun(join(root, dir), { cwd: root, ...r });
  return root;
}

const files = (dir: string): string[] =>
  (existsSync(dir) ? readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()) : [])
    .map((e) => join(e.parentPath, e.name).slice(dir.length + 1))
    .sort();

describe('trellis export mlflow: the file store', () => {
  it('writes the layout of MLflow’s FileStore, file for file as the hand-written fixture', async () => {
    const root = project([['outputs/2026-11-20/10-00-00', singleRun]]);
    await exportMlflow(root);
    const store = join(root, 'mlruns');
    const expected = join(FIXTURE, 'mlruns');
    const storeUrl = pathToFileURL(store).href;
    for (const sub of ['params', 'tags', 'metrics']) {
      expect(files(join(store, '0', RUN_ID, sub)), sub).toEqual(files(join(expected, '0', RUN_ID, sub)));
      for (const f of files(join(expected, '0', RUN_ID, sub))) {
        expect(readFileSync(join(store, '0', RUN_ID, sub, f), 'utf8'), `${sub}/${f}`).toBe(readFileSync(join(expected, '0', RUN_ID, sub, f), 'utf8'));
      }
    }
    for (const meta of ['0/meta.yaml', `0/${RUN_ID}/meta.yaml`]) {
      const got = parse(readFileSync(join(store, meta), 'utf8')) as Record<string, unknown>;
      const want = parse(readFileSync(join(expected, meta), 'utf8').replaceAll('<store>', storeUrl)) as Record<string, unknown>;
      expect(Object.keys(got).sort(), meta).toEqual(Object.keys(want).sort());
      for (const [k, v] of Object.entries(want)) {
        if (v === '<now>') expect(typeof got[k], `${meta} ${k}`).toBe('number');
        else if (v === '<user>') expect(typeof got[k], `${meta} ${k}`).toBe('string');
        else expect(got[k], `${meta} ${k}`).toEqual(v);
      }
    }
    // experiment_id is a string in meta.yaml, as MLflow writes it ('0', quoted).
    expect(readFileSync(join(store, '0', 'meta.yaml'), 'utf8')).toMatch(/^experiment_id: ["']0["']$/m);
    expect(existsSync(join(store, '.trash'))).toBe(true);
    const artifacts = files(join(store, '0', RUN_ID, 'artifacts'));
    expect(artifacts).toContain(join('trellis', 'run.json'));
    expect(artifacts).toContain(join('trellis', 'metrics.jsonl'));
  });

  it('exporting again rewrites the same run: no second run, no repeated metric points', async () => {
    const root = project([['outputs/2026-11-20/10-00-00', singleRun]]);
    await exportMlflow(root);
    appendFileSync(join(root, 'outputs/2026-11-20/10-00-00/.trellis/metrics.jsonl'), '{"step":3,"time":1795168803,"loss":0.125}\n');
    await exportMlflow(root);
    const runs = readdirSync(join(root, 'mlruns', '0')).filter((n) => n !== 'meta.yaml');
    expect(runs).toEqual([RUN_ID]);
    expect(readFileSync(join(root, 'mlruns', '0', RUN_ID, 'metrics', 'loss'), 'utf8')).toBe(
      '1795168801250 0.5 0\n1795168802000 0.25 1\n1795168800000 1e-05 2\n1795168803000 0.125 3\n',
    );
  });

  it('never copies the records that hold secrets in clear', async () => {
    const root = project([['outputs/2026-11-20/10-00-00', singleRun]]);
    writeFileSync(join(root, 'outputs/2026-11-20/10-00-00/.trellis/job-config.json'), '{"token":"s3cret"}');
    await exportMlflow(root);
    expect(files(join(root, 'mlruns', '0', RUN_ID, 'artifacts')).some((f) => f.includes('job-config'))).toBe(false);
  });

  it.each([
    {
      name: 'a param over MAX_PARAM_VAL_LENGTH (6000)',
      run: { resolved: { long: 'p'.repeat(7000) } },
      file: 'params/long',
      length: 6000,
      tag: ['trellis.truncated.param.long', '7000 characters, cut to 6000'],
    },
    {
      name: 'a note over MAX_TAG_VAL_LENGTH (5000)',
      run: { notes: ['n'.repeat(5001)] },
      file: 'tags/mlflow.note.content',
      length: 5000,
      tag: ['trellis.truncated.tag.mlflow.note.content', '5001 characters, cut to 5000'],
    },
    {
      name: 'a key over MAX_ENTITY_KEY_LENGTH (250)',
      run: { resolved: { ['k'.repeat(300)]: 1 } },
      file: `params/${'k'.repeat(250)}`,
      length: 1,
      tag: [`trellis.renamed.param.${'k'.repeat(250)}`.slice(0, 250), 'k'.repeat(300)],
    },
  ])('cuts $name to the limit and records the cut as a tag', async ({ run, file, length, tag }) => {
    const root = project([['outputs/a', { ...singleRun, ...run }]]);
    await exportMlflow(root);
    const dir = join(root, 'mlruns', '0', RUN_ID);
    expect(readFileSync(join(dir, file), 'utf8')).toHaveLength(length);
    expect(readFileSync(join(dir, 'tags', tag[0]!), 'utf8')).toBe(tag[1]);
  });

  it('nests the jobs of a sweep under one parent run named after the sweep', async () => {
    const sweep = 'multirun/2026-11-21/09-00-00';
    const root = project([
      [`${sweep}/0`, { id: '20261121-090000-bbbbbb', sweep: { dir: sweep, num: 0 }, overrides: ['seed=1'] }],
      [`${sweep}/1`, { id: '20261121-090001-cccccc', sweep: { dir: sweep, num: 1 }, overrides: ['seed=2'], status: 'failed' }],
      ['outputs/x', singleRun],
    ]);
    const result = await exportMlflow(root);
    const exp = join(root, 'mlruns', '0');
    const runDirs = readdirSync(exp).filter((n) => n !== 'meta.yaml');
    expect(runDirs).toHaveLength(4);
    const tag = (run: string, key: string) => readFileSync(join(exp, run, 'tags', key), 'utf8');
    const parents = runDirs.filter((r) => tag(r, 'mlflow.runName') === sweep);
    expect(parents).toHaveLength(1);
    const parent = parents[0]!;
    // Job ids worked out with sha256sum (see the fixture README).
    expect(tag('b4b7a886010ad072d8903c74fb0e57cf', 'mlflow.parentRunId')).toBe(parent);
    expect(tag('cf84946c6ae5147f080d564186e8dfc5', 'mlflow.parentRunId')).toBe(parent);
    expect(tag('b4b7a886010ad072d8903c74fb0e57cf', 'mlflow.runName')).toBe('train #0');
    expect(existsSync(join(exp, RUN_ID, 'tags', 'mlflow.parentRunId'))).toBe(false);
    // A sweep with a failed job is a failed parent (RunStatus.FAILED = 4).
    expect((parse(readFileSync(join(exp, parent, 'meta.yaml'), 'utf8')) as { status: number }).status).toBe(4);
    expect(result.runs.filter((r) => r.parent === parent)).toHaveLength(2);
  });

  it('selects runs with the query language of trellis runs list', async () => {
    const root = project([
      ['outputs/a', singleRun],
      ['outputs/b', { id: '20261121-090000-bbbbbb', tags: ['other'] }],
    ]);
    const result = await exportMlflow(root, ['tags = iris']);
    expect(result.runs.map((r) => r.mlflow_run_id)).toEqual([RUN_ID]);
  });

  it.each([
    { name: 'a new experiment gets an id derived from its name', existing: null, id: '260773900273567' },
    { name: 'an experiment MLflow made is found by its name', existing: '123', id: '123' },
  ])('--experiment: $name', async ({ existing, id }) => {
    const root = project([['outputs/a', singleRun]]);
    if (existing) {
      mkdirSync(join(root, 'mlruns', existing), { recursive: true });
      mkdirSync(join(root, 'mlruns', '0'), { recursive: true });
      writeFileSync(join(root, 'mlruns', '0', 'meta.yaml'), "experiment_id: '0'\nname: Default\nlifecycle_stage: active\n");
      writeFileSync(join(root, 'mlruns', existing, 'meta.yaml'), `experiment_id: '${existing}'\nname: iris\nlifecycle_stage: active\n`);
    }
    const first = await exportMlflow(root, [], { experiment: 'iris' });
    const second = await exportMlflow(root, [], { experiment: 'iris' });
    expect([first.experiment.id, second.experiment.id]).toEqual([id, id]);
    expect(existsSync(join(root, 'mlruns', id, RUN_ID, 'meta.yaml'))).toBe(true);
    const meta = parse(readFileSync(join(root, 'mlruns', id, 'meta.yaml'), 'utf8')) as { name: string };
    expect(meta.name).toBe('iris');
  });
});
