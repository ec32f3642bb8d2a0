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
