import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { customApp, readJson, runDirs, runNode } from '../helpers/app-project.js';
import { runCli } from '../helpers/run-cli.js';

describe('config tags: are run tags', () => {
  it('from the config and from run.tag(), searchable with tags contains', () => {
    const cwd = customApp(`async (cfg, run) => { run.tag('extra'); return { ok: 1 }; }`, { 'conf/config.yaml': 'tags: [baseline, fast]\nx: 1\n' });
    expect(runNode(join(cwd, 'app.mjs'), [], cwd).code).toBe(0);
    expect(runNode(join(cwd, 'app.mjs'), ['tags=[other]'], cwd).code).toBe(0);
    const tagsOf = (dir: string) => readJson<{ tags: string[] }>(dir, 'run.json').tags;
    expect(runDirs(join(cwd, 'outputs')).map(tagsOf)).toEqual([
      ['baseline', 'fast', 'extra'],
      ['other', 'extra'],
    ]);
    const listed = runCli(['runs', 'list', 'tags contains base', '--format', 'json'], { cwd });
    expect(listed.code, listed.stderr).toBe(0);
    expect((JSON.parse(listed.stdout) as Array<{ tags: string[] }>).map((r) => r.tags)).toEqual([['baseline', 'fast', 'extra']]);
  });
});

describe('sweep resume', () => {
  it('refused for a changed config, names the files', () => {
    const cwd = customApp('async (cfg) => cfg.lr', { 'conf/config.yaml': 'lr: 0.1\n', 'conf/opt/a.yaml': 'x: 1\n' });
    expect(runNode(join(cwd, 'app.mjs'), ['-m', 'lr=1,2'], cwd).code).toBe(0);
    writeFileSync(join(cwd, 'conf/config.yaml'), 'lr: 0.5\n');
    writeFileSync(join(cwd, 'conf/opt/b.yaml'), 'x: 2\n');
    const refused = runNode(join(cwd, 'app.mjs'), ['-m', 'lr=1,2', '--resume'], cwd);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('The config changed since the sweep started (changed conf/config.yaml; new conf/opt/b.yaml; fingerprint ');
  });
});

describe('--format json: results for scripts on stdout', () => {
  it('a single run prints one JSON line: status, run dir, result (redacted)', () => {
    const cwd = customApp('async (cfg) => ({ loss: 0.5, echoed: cfg.token })', { 'conf/config.yaml': 'token: ${oc.env:API_TOKEN}\n' });
    const r = runNode(join(cwd, 'app.mjs'), ['--format', 'json'], cwd, { API_TOKEN: 'sekrit-value-123' });
    expect(r.code, r.stderr).toBe(0);
    const [dir] = runDirs(join(cwd, 'outputs'));
    const summary = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(summary).toMatchObject({ status: 'completed', exit_code: 0, run_dir: dir!.slice(cwd.length + 1), error: null });
    expect((summary.result as { loss: number }).loss).toBe(0.5);
    expect(r.stdout).not.toContain('sekrit-value-123');
    expect(r.stdout.trimEnd().split('\n')).toHaveLength(1);
  });

  it('a failed run prints its error and exits 1', () => {
    const cwd = customApp(`async () => { throw new Error('boom'); }`, { 'conf/config.yaml': 'x: 1\n' });
    const r = runNode(join(cwd, 'app.mjs'), ['--format', 'json'], cwd);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({ status: 'failed', exit_code: 1, error: 'boom', result: null });
  });

  it('a sweep prints its directory and job table', () => {
    const cwd = customApp('async (cfg) => cfg.lr * 2', { 'conf/config.yaml': 'lr: 0.1\n' });
    const r = runNode(join(cwd, 'app.mjs'), ['-m', 'lr=1,2', '--format', 'json'], cwd);
    expect(r.code, r.stderr).toBe(0);
    const sweep = JSON.parse(r.stdout) as { sweep_dir: string; jobs: Array<{ num: number; status: string; objective: number; dir: string }> };
    expect(sweep.sweep_dir).toMatch(/^multirun\//);
    expect(sweep.jobs.map((j) => [j.num, j.status, j.objective, j.dir])).toEqual([
      [0, 'completed', 2, '0'],
      [1, 'completed', 4, '1'],
    ]);
  });
});

describe('sweep resume with --objective', () => {
  it('judges every job by the objective a resume names when the sweep had none, and heads the table with it', () => {
    const body = `async (cfg) => { if (String(cfg.lr) === process.env.FAIL_LR) throw new Error('fail'); return { loss: cfg.lr * 2, acc: 1 }; }`;
    const cwd = customApp(body, { 'conf/config.yaml': 'lr: 0.1\n' });
    const first = runNode(join(cwd, 'app.mjs'), ['-m', 'lr=1,2'], cwd, { FAIL_LR: '2' });
    expect(first.code).toBe(1);
    // Two numbers returned and no --objective: no job has an objective yet.
    expect(first.stderr).toMatch(/\n#\s+status\s+objective\s+overrides/);
    const resumed = runNode(join(cwd, 'app.mjs'), ['-m', 'lr=1,2', '--resume', '--objective', 'loss', '--format', 'json'], cwd);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toMatch(/\n#\s+status\s+loss\s+overrides/);
    const sweep = JSON.parse(resumed.stdout) as { objective: unknown; jobs: Array<{ num: number; objective: number }> };
    expect(sweep.objective).toEqual({ name: 'loss', mode: 'min' });
    expect(sweep.jobs.map((j) => [j.num, j.objective])).toEqual([
      [0, 2],
      [1, 4],
    ]);
  });
});
