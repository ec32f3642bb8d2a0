import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { customApp, readJson, runDirs, runNode } from '../helpers/app-project.js';
import { repoRoot, runCli, spawnCli } from '../helpers/run-cli.js';
import { tmpDir } from '../helpers/tmp-dir.js';
import { ageTree, readIndexSections, writeRun } from '../unit/store/synthetic-runs.js';

const demo = join(repoRoot, 'dist', 'examples', 'train.js');

function demoProject(): string {
  const dir = tmpDir();
  spawnSync('cp', ['-r', join(repoRoot, 'conf'), join(dir, 'conf')]);
  return dir;
}

/** One single run (sgd, 3 epochs) and a sweep of two jobs (adam and sgd, 2 epochs). */
function demoRuns() {
  const cwd = demoProject();
  expect(runNode(demo, ['trainer.epochs=3'], cwd).code).toBe(0);
  expect(runNode(demo, ['-m', 'optimizer=adam,sgd', 'trainer.epochs=2'], cwd).code).toBe(0);
  const [single] = runDirs(join(cwd, 'outputs'));
  const [adam, sgd] = runDirs(join(cwd, 'multirun'));
  const rel = (d: string) => relative(cwd, d);
  return { cwd, single: rel(single!), adam: rel(adam!), sgd: rel(sgd!) };
}

const cli = (args: string[], cwd: string) => runCli(args, { cwd });

describe('trellis runs over the demo', () => {
  it('lists, filters, sorts and formats runs', () => {
    const { cwd, single, adam, sgd } = demoRuns();
    const all = cli(['runs', 'list', '--format', 'json', '--sort', 'dir'], cwd);
    expect(all.code).toBe(0);
    expect((JSON.parse(all.stdout) as Array<{ dir: string; status: string }>).map((r) => [r.dir, r.status])).toEqual([
      [adam, 'completed'],
      [sgd, 'completed'],
      [single, 'completed'],
    ]);
    const table = cli(['runs', 'list', 'optimizer.name = sgd', '--sort=-trainer.epochs'], cwd);
    expect(table.code).toBe(0);
    const lines = table.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^id +status +started +duration +optimizer\.name +trainer\.epochs +overrides +dir$/);
    expect(lines[1]).toMatch(/^-+ +-+/);
    expect(lines.slice(2).map((l) => l.split(/ {2,}/).slice(-4))).toEqual([
      ['sgd', '3', 'trainer.epochs=3', single],
      ['sgd', '2', 'optimizer=sgd trainer.epochs=2', sgd],
    ]);
    const csv = cli(['runs', 'list', 'multirun', 'optimizer.name = adam', '--columns', 'optimizer.name,trainer.epochs,dir', '--format', 'csv'], cwd);
    expect(csv.stdout).toBe(`optimizer.name,trainer.epochs,dir\r\nadam,2,${adam}\r\n`);
    const recent = cli(['runs', 'list', 'started > -1h and val_loss.min < 1', '--format', 'json'], cwd);
    expect(JSON.parse(recent.stdout)).toHaveLength(3);
  });

  it('finds the best run by a metric', () => {
    const { cwd, single, adam } = demoRuns();
    const best = cli(['runs', 'best', '--metric', 'val_loss', '--mode', 'min', '--format', 'json'], cwd);
    expect(best.code).toBe(0);
    const [row] = JSON.parse(best.stdout) as Array<{ dir: string; fields: Record<string, number> }>;
    const summary = readJson<{ metrics: { val_loss: { min: number } } }>(join(cwd, single), 'summary.json');
    // sgd with 3 epochs reaches a lower validation loss than either 2-epoch job.
    expect(row).toMatchObject({ dir: single, fields: { 'val_loss.min': summary.metrics.val_loss.min } });
    const worst = cli(['runs', 'best', '--metric', 'val_loss', '--mode', 'max', '--format', 'json'], cwd);
    expect((JSON.parse(worst.stdout) as Array<{ dir: string }>)[0]!.dir).toBe(adam);
  });

  it('shows, tags and notes a run found by an id prefix', () => {
    const { cwd, single } = demoRuns();
    const id = readJson<{ id: string }>(join(cwd, single), 'run.json').id;
    const shown = cli(['runs', 'show', id.slice(0, -2)], cwd);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(new RegExp(`^dir +${single}\nid +${id}\n`));
    expect(shown.stdout).toMatch(/\nchoices +model=linear optimizer=sgd dataset=iris trainer=default\n/);
    expect(cli(['runs', 'tag', single, 'baseline', 'best'], cwd).stdout).toBe(`${single}: tags baseline, best\n`);
    expect(cli(['runs', 'tag', single, 'best', '--remove'], cwd).stdout).toBe(`${single}: tags baseline\n`);
    expect(cli(['runs', 'note', single, 'lr', 'looks', 'fine'], cwd).code).toBe(0);
    expect(readJson<{ tags: string[]; notes: string[] }>(join(cwd, single), 'run.json')).toMatchObject({ tags: ['baseline'], notes: ['lr looks fine'] });
    expect(JSON.parse(cli(['runs', 'list', 'tags = baseline', '--format', 'json'], cwd).stdout)).toHaveLength(1);
  });

  it('diffs two jobs of a sweep by key', () => {
    const { cwd, adam, sgd } = demoRuns();
    const r = cli(['runs', 'diff', adam, sgd, '--format', 'json'], cwd);
    expect(r.code).toBe(0);
    const d = JSON.parse(r.stdout) as { categories: Record<string, Array<Record<string, unknown>>>; inputsDiffer: boolean; outcomesDiffer: boolean };
    expect(d.categories.choices).toEqual([{ key: 'optimizer', a: 'adam', b: 'sgd' }]);
    expect(d.categories.overrides).toEqual([{ key: 'optimizer', a: 'optimizer=adam', b: 'optimizer=sgd' }]);
    expect(d.categories.config).toContainEqual({
      key: 'optimizer.name',
      a: 'adam',
      b: 'sgd',
      aFrom: 'conf/optimizer/adam.yaml:1:7',
      bFrom: 'conf/optimizer/sgd.yaml:1:7',
    });
    expect(d.categories.config).toContainEqual({ key: 'optimizer.betas[0]', a: 0.9, aFrom: 'conf/optimizer/adam.yaml:3:9' });
    expect(d.categories.seeds).toEqual([]);
    expect(d).toMatchObject({ inputsDiffer: true, outcomesDiffer: true });
    const text = cli(['runs', 'diff', adam, sgd], cwd).stdout;
    expect(text).toContain('\nchoices\n  optimizer  adam → sgd\n');
  });

  it('explains a key through its interpolation', () => {
    const { cwd, single } = demoRuns();
    const r = cli(['explain', single, 'model.features'], cwd);
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n').slice(1).join('\n')).toBe(
      [
        'model.features = ${dataset.features} → 4',
        '  set at conf/model/linear.yaml:3:11',
        '  from model=linear (model/linear), chosen by the defaults list of config',
        '  ${dataset.features} refers to:',
        '    dataset.features = 4',
        '      set at conf/dataset/iris.yaml:3:11',
        '      from dataset=iris (dataset/iris), chosen by the defaults list of config',
        '',
      ].join('\n'),
    );
    const override = JSON.parse(cli(['explain', single, 'trainer.epochs', '--format', 'json'], cwd).stdout) as Record<string, unknown>;
    expect(override).toMatchObject({ value: 3, origin: { kind: 'override', text: 'trainer.epochs=3', index: 0 }, group: null });
  });

  it('reruns the demo and verifies identical metrics', () => {
    const { cwd, single } = demoRuns();
    // The demo's script lives in this repository, outside the temp project: only --trust runs it.
    const refused = cli(['rerun', single, '--verify'], cwd);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('RUN_UNTRUSTED');
    expect(refused.stderr).toContain(`the script ${demo} is outside the project`);
    const r = cli(['rerun', single, '--verify', '--trust'], cwd);
    expect(r.stderr).toContain('no drift');
    expect(r.stdout).toContain('verify: equal');
    expect(r.code).toBe(0);
    const again = runDirs(join(cwd, 'outputs')).filter((d) => relative(cwd, d) !== single);
    expect(again).toHaveLength(1);
    expect(readJson(again[0]!, 'run.json')).toMatchObject({ reproduces: join(cwd, single), overrides: ['trainer.epochs=3'] });
    expect(readFileSync(join(again[0]!, '.trellis/metrics.jsonl'), 'utf8').replace(/"time":[\d.]+/g, '')).toBe(
      readFileSync(join(cwd, single, '.trellis/metrics.jsonl'), 'utf8').replace(/"time":[\d.]+/g, ''),
    );
  });

  it('refuses --verify with overrides: the new run would not reproduce the old one', () => {
    const { cwd, single, sgd } = demoRuns();
    const refused = cli(['rerun', sgd, 'trainer.epochs=3', '--verify', '--trust'], cwd);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('USAGE\n--verify compares the new run with the original, but the overrides trainer.epochs=3 change what runs');
    expect(runDirs(join(cwd, 'outputs')).filter((d) => relative(cwd, d) !== single)).toEqual([]);
  });

  it('reruns a job of a sweep with an extra override', () => {
    const { cwd, single, sgd } = demoRuns();
    const r = cli(['rerun', sgd, 'trainer.epochs=3', '--trust'], cwd);
    expect(r.code).toBe(0);
    const [made, ...more] = runDirs(join(cwd, 'outputs')).filter((d) => relative(cwd, d) !== single);
    expect(more).toEqual([]);
    expect(readJson(made!, 'run.json')).toMatchObject({ reproduces: join(cwd, sgd), overrides: ['optimizer=sgd', 'trainer.epochs=2', 'trainer.epochs=3'] });
  });
});

describe('trellis runs and the run index', () => {
  it('lists a tag or note at once, though the index takes finished runs on trust', () => {
    const cwd = tmpDir();
    writeRun(join(cwd, 'outputs/2026-11-20/10-00-00'), { id: '20261120-100000-aaaaaa' });
    writeRun(join(cwd, 'outputs/2026-11-20/11-00-00'), { id: '20261120-110000-bbbbbb' });
    ageTree(cwd);
    const ids = (...args: string[]) =>
      (JSON.parse(cli(['runs', 'list', ...args, '--format', 'json', '--sort', 'id'], cwd).stdout) as Array<{ id: string }>).map((r) => r.id);
    expect(ids()).toEqual(['20261120-100000-aaaaaa', '20261120-110000-bbbbbb']);
    expect(existsSync(join(cwd, 'outputs/.trellis-index/shards/2026-11-20/runs.json'))).toBe(true);
    expect(cli(['runs', 'tag', '20261120-100000', 'best'], cwd).code).toBe(0);
    expect(ids('tags = best')).toEqual(['20261120-100000-aaaaaa']);
    expect(cli(['runs', 'note', '20261120-110000', 'looks', 'fine'], cwd).code).toBe(0);
    expect(ids('notes ~ fine')).toEqual(['20261120-110000-bbbbbb']);
    for (const flag of ['--refresh', '--no-index'])
      expect(ids('tags = best or notes ~ fine', flag)).toEqual(['20261120-100000-aaaaaa', '20261120-110000-bbbbbb']);
    expect(readdirSync(join(cwd, 'outputs/2026-11-20')).sort()).toEqual(['10-00-00', '11-00-00']);
  });
});

describe('a killed run without summary.json', () => {
  /** 1,374 lines of loss = 1/(step+1), then a line torn by the kill. */
  const killed = () =>
    Array.from({ length: 1374 }, (_, step) => `{"step":${step},"time":${1_700_000_000 + step},"loss":${1 / (step + 1)}}\n`).join('') + '{"step":1374,"time":17';
  const LOSS = { last: 1 / 1374, min: 1 / 1374, max: 1, count: 1374 };

  function killedAndDone() {
    const cwd = tmpDir();
    // Still marked running, its heartbeat days old: the process is gone.
    writeRun(join(cwd, 'outputs/2026-11-20/10-00-00'), {
      id: '20261120-100000-killed',
      status: 'running',
      heartbeat: '2026-11-20T10:00:00.000Z',
      metricsJsonl: killed(),
    });
    writeRun(join(cwd, 'outputs/2026-11-20/11-00-00'), { id: '20261120-110000-done', metrics: { loss: { last: 0.5, min: 0.4, max: 0.9 } } });
    return ageTree(cwd); // old enough for the index to keep
  }

  it('lists as crashed with the metrics of its metrics.jsonl, from the files and from the index', () => {
    const cwd = killedAndDone();
    for (const pass of ['files', 'index built', 'index']) {
      const r = cli(['runs', 'list', '--format', 'json', '--sort', 'id', '--columns', 'loss.last,loss.min,loss.max,loss.count'], cwd);
      expect(r.code, pass).toBe(0);
      expect(JSON.parse(r.stdout), pass).toMatchObject([
        {
          id: '20261120-100000-killed',
          status: 'crashed',
          reason: 'summary.json missing; metrics from metrics.jsonl',
          fields: { 'loss.last': LOSS.last, 'loss.min': LOSS.min, 'loss.max': LOSS.max, 'loss.count': LOSS.count },
        },
        { id: '20261120-110000-done', status: 'completed', reason: null, fields: { 'loss.last': 0.5, 'loss.min': 0.4, 'loss.max': 0.9, 'loss.count': 3 } },
      ]);
      if (pass === 'files')
        expect(readFileSync(join(cwd, 'outputs/.trellis-index/shards/2026-11-20/summaries.json'), 'utf8')).toContain('metrics from metrics.jsonl');
    }
  });

  it('gives its reason whatever a listing reads first', () => {
    const cwd = killedAndDone();
    for (const pass of ['files', 'index']) {
      // The reason asked for before any metric, and no metric at all.
      const table = cli(['runs', 'list', '--sort', 'id', '--columns', 'id,reason'], cwd);
      expect(table.stdout, pass).toMatch(/20261120-100000-killed +summary\.json missing; metrics from metrics\.jsonl/);
      const json = JSON.parse(cli(['runs', 'list', '--format', 'json', '--sort', 'id'], cwd).stdout) as Array<{ reason: string | null }>;
      expect(json[0]!.reason, pass).toBe('summary.json missing; metrics from metrics.jsonl');
      const queried = cli(['runs', 'list', 'reason ~ summary', '--format', 'json'], cwd);
      expect(
        (JSON.parse(queried.stdout) as Array<{ id: string }>).map((r) => r.id),
        pass,
      ).toEqual(['20261120-100000-killed']);
    }
  });

  it('competes in runs best only when the query names its status, as any crashed run', () => {
    const cwd = killedAndDone();
    const best = (...args: string[]) =>
      JSON.parse(cli(['runs', 'best', '--metric', 'loss', '--format', 'json', ...args], cwd).stdout) as Array<{ id: string; fields: Record<string, number> }>;
    expect(best().map((r) => [r.id, r.fields['loss.min']])).toEqual([['20261120-110000-done', 0.4]]);
    expect(best('status in (completed, crashed)').map((r) => [r.id, r.fields['loss.min']])).toEqual([['20261120-100000-killed', LOSS.min]]);
  });

  it('shows its metrics in runs show', () => {
    const cwd = killedAndDone();
    const shown = JSON.parse(cli(['runs', 'show', '20261120-100000-killed', '--format', 'json'], cwd).stdout) as {
      status: string;
      summary: { metrics: { loss: unknown } };
    };
    expect(shown).toMatchObject({ status: 'crashed', summary: { metrics: { loss: { ...LOSS, last_step: 1373, min_step: 1373, max_step: 0 } }, result: null } });
    const text = cli(['runs', 'show', '20261120-100000-killed'], cwd).stdout;
    expect(text).toMatch(/\nstatus +crashed \(summary\.json missing; metrics from metrics\.jsonl\)\n/);
    expect(text).toMatch(/\nloss +0\.000727802 +0\.000727802 +1 +1374\n/);
  });
});

describe('trellis runs tag and note from many processes at once', () => {
  const RUN = 'outputs/2026-11-20/10-00-00';
  const ten = Array.from({ length: 10 }, (_, i) => `t${i}`);

  it.each([
    { name: 'runs tag keeps every tag', args: (word: string) => ['runs', 'tag', RUN, word], field: 'tags' as const },
    { name: 'runs note keeps every note', args: (word: string) => ['runs', 'note', RUN, `note ${word}`], field: 'notes' as const },
  ])(
    '$name',
    async ({ args, field }) => {
      const cwd = tmpDir();
      writeRun(join(cwd, RUN), { id: '20261120-100000-aaaaaa', tags: ['old'], notes: ['first'] });
      // A large run.json (many artifacts) takes milliseconds to rewrite, so the writes overlap
      // for certain, not only when the processes happen to start within microseconds.
      const file = join(cwd, RUN, '.trellis/run.json');
      writeFileSync(
        file,
        JSON.stringify({
          ...(JSON.parse(readFileSync(file, 'utf8')) as object),
          artifacts: Array.from({ length: 30_000 }, (_, i) => `checkpoints/epoch-${i}.pt`),
        }),
      );
      const results = await Promise.all(ten.map((word) => spawnCli(args(word), { cwd })));
      expect(results.map((r) => [r.code, r.stderr])).toEqual(ten.map(() => [0, '']));
      const written = readJson<Record<'tags' | 'notes', string[]>>(join(cwd, RUN), 'run.json')[field];
      const expected = field === 'tags' ? ['old', ...ten] : ['first', ...ten.map((t) => `note ${t}`)];
      expect([...written].sort()).toEqual(expected.sort());
      // The lock is gone once every process is done.
      expect(readdirSync(join(cwd, RUN, '.trellis')).filter((f) => f.includes('lock'))).toEqual([]);
    },
    60_000,
  );
});

describe('trellis rerun reports drift', () => {
  it('names the changed config key and the dirty tree before running', () => {
    const cwd = customApp('async (cfg, run) => { run.log({ loss: cfg.lr * 2 }); return { loss: cfg.lr * 2 }; }', {
      'conf/config.yaml': 'lr: 0.5\nwidth: 4\n',
      '.gitignore': 'outputs/\nmultirun/\n',
    });
    const git = (...args: string[]) =>
      expect(spawnSync('git', ['-c', 'user.email=t@t', '-c', 'user.name=t', ...args], { cwd, encoding: 'utf8' }).status).toBe(0);
    git('init', '-q');
    git('add', '-A');
    git('commit', '-qm', 'init');
    expect(runNode(join(cwd, 'app.mjs'), [], cwd).code).toBe(0);
    const [dir] = runDirs(join(cwd, 'outputs'));
    expect(readJson(dir!, 'git.json')).toMatchObject({ available: true, dirty: false });
    writeFileSync(join(cwd, 'conf/config.yaml'), 'lr: 0.25\nwidth: 4\n');
    const r = cli(['rerun', relative(cwd, dir!), '--verify'], cwd);
    expect(r.stderr).toContain('drift: config files changed since the run\n  lr: 0.5 → 0.25\n');
    expect(r.stderr).toContain('drift: git changed since the run\n  dirty: false → true\n  diff: clean → ');
    expect(r.stdout).toContain('verify: different');
    expect(r.stdout).toContain('  loss.last: 1 → 0.5');
    expect(r.code).toBe(1);
  });

  it('names a changed environment variable the config read, and a node_modules that moved away from the lock file', () => {
    const lock = JSON.stringify({ lockfileVersion: 3, packages: { '': { name: 'exp' }, 'node_modules/padder': { version: '1.0.0' } } });
    const cwd = customApp('async (cfg) => ({ port: cfg.db.port })', {
      'conf/config.yaml': 'db:\n  port: ${oc.env:DB_PORT}\n  password: ${oc.env:DB_PASSWORD}\n  host: ${oc.env:DB_HOST,localhost}\n',
      'package.json': JSON.stringify({ name: 'exp', version: '1.0.0', dependencies: { padder: '^1.0.0' } }),
      'package-lock.json': lock,
      'node_modules/padder/package.json': JSON.stringify({ name: 'padder', version: '1.0.0' }),
    });
    const secret = 'hunter2-hunter2-hunter2';
    expect(runNode(join(cwd, 'app.mjs'), [], cwd, { DB_PORT: '5555', DB_PASSWORD: secret }).code).toBe(0);
    const [dir] = runDirs(join(cwd, 'outputs'));
    const env = readJson<{ config_env: Record<string, string | null>; packages: Record<string, unknown> }>(dir!, 'env.json');
    // The password is kept as a fingerprint, so a change shows without the value being written down.
    expect(env.config_env).toEqual({ DB_HOST: null, DB_PASSWORD: expect.stringMatching(/^sha256:[0-9a-f]{16}$/), DB_PORT: '5555' });
    expect(env.packages).toMatchObject({ dependencies: { padder: { spec: '^1.0.0', installed: '1.0.0', locked: '1.0.0' } } });
    for (const file of readdirSync(join(dir!, '.trellis'))) expect(readFileSync(join(dir!, '.trellis', file), 'utf8')).not.toContain(secret);

    // A pull changed the lock file, nobody reinstalled; and the database moved.
    writeFileSync(join(cwd, 'package-lock.json'), lock.replace('"1.0.0"}}', '"1.0.1"}}'));
    const r = runCli(['rerun', relative(cwd, dir!), '--dry-run'], { cwd, env: { DB_PORT: '3306', DB_PASSWORD: secret } });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('drift: environment variables the config read changed\n  DB_PORT: 5555 → 3306\n');
    expect(r.stderr).not.toContain('DB_PASSWORD');
    expect(r.stderr).toMatch(/drift: installed packages changed\n(  .*\n)*  dependencies\.padder: 1\.0\.0 → 1\.0\.0 \(lock file: 1\.0\.1\)\n/);
    expect(r.stderr).toMatch(/  lockfile\.sha256: [0-9a-f]{64} → [0-9a-f]{64}\n/);

    // A second run with the new port: `runs diff` names the variable too.
    expect(runNode(join(cwd, 'app.mjs'), [], cwd, { DB_PORT: '3306', DB_PASSWORD: secret }).code).toBe(0);
    const [first, second] = runDirs(join(cwd, 'outputs')).map((d) => relative(cwd, d));
    const diff = JSON.parse(cli(['runs', 'diff', first!, second!, '--format', 'json'], cwd).stdout) as { categories: Record<string, unknown[]> };
    expect(diff.categories.runtime).toContainEqual({ key: 'config_env.DB_PORT', a: '5555', b: '3306' });
    expect(diff.categories.runtime).not.toContainEqual(expect.objectContaining({ key: 'config_env.DB_PASSWORD' }));
  });

  it('--dry-run reports and runs nothing', () => {
    const cwd = customApp('async () => ({ ok: 1 })', { 'conf/config.yaml': 'a: 1\n' });
    expect(runNode(join(cwd, 'app.mjs'), [], cwd).code).toBe(0);
    const [dir] = runDirs(join(cwd, 'outputs'));
    const r = cli(['rerun', relative(cwd, dir!), '--dry-run'], cwd);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('no drift');
    expect(runDirs(join(cwd, 'outputs'))).toHaveLength(1);
  });
});

describe('trellis rerun runs only what belongs to the project', () => {
  /** A real run, then its run.json changed the way a crafted or foreign run directory would be. */
  function craftedRun(change: (runJson: Record<string, unknown>, cwd: string) => void, files: Record<string, string> = {}) {
    const cwd = customApp('async () => ({ ok: 1 })', { 'conf/config.yaml': 'a: 1\n', ...files });
    expect(runNode(join(cwd, 'app.mjs'), [], cwd).code).toBe(0);
    const [dir] = runDirs(join(cwd, 'outputs'));
    const runJson = readJson(dir!, 'run.json');
    change(runJson, cwd);
    writeFileSync(join(dir!, '.trellis', 'run.json'), JSON.stringify(runJson));
    return { cwd, dir: relative(cwd, dir!) };
  }
  const payload = `import { writeFileSync } from 'node:fs';\nwriteFileSync('PWNED', 'ran');\n`;

  it.each([
    {
      name: 'a script that lives inside the recorded run data',
      change: (r: Record<string, unknown>) => (r.entry = 'outputs/crafted/payload.mjs'),
      files: { 'outputs/crafted/payload.mjs': payload },
      says: /the script .*outputs\/crafted\/payload\.mjs lies inside recorded run data/,
    },
    {
      name: 'a script outside the project',
      change: (r: Record<string, unknown>, cwd: string) => (r.entry = join(cwd, '..', `${relative(join(cwd, '..'), cwd)}-elsewhere`, 'payload.mjs')),
      files: {},
      says: /the script .*payload\.mjs is outside the project/,
    },
    {
      name: 'a config directory outside the project',
      change: (r: Record<string, unknown>) => (r.config_dir = '../../../..'),
      files: {},
      says: /the config directory .* is outside the project/,
    },
  ])('refuses $name, shows the command, and runs it only with --trust', ({ change, files, says }) => {
    const { cwd, dir } = craftedRun(change, files);
    const runJson = readJson(join(cwd, dir), 'run.json') as { entry: string };
    if (!existsSync(join(cwd, runJson.entry)) && runJson.entry.includes('elsewhere')) {
      spawnSync('mkdir', ['-p', join(runJson.entry, '..')]);
      writeFileSync(runJson.entry, payload);
    }
    const r = cli(['rerun', dir], cwd);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('RUN_UNTRUSTED');
    expect(r.stderr).toMatch(says);
    expect(r.stderr).toMatch(/\[trellis\] will run in \.: \S*node /);
    expect(r.stderr).toContain('--trust');
    expect(existsSync(join(cwd, 'PWNED'))).toBe(false);
    expect(runDirs(join(cwd, 'outputs'))).toHaveLength(1);
  });

  it('runs a crafted script only when told to trust it', () => {
    const { cwd, dir } = craftedRun((r) => (r.entry = 'outputs/crafted/payload.mjs'), { 'outputs/crafted/payload.mjs': payload });
    cli(['rerun', dir, '--trust'], cwd);
    expect(readFileSync(join(cwd, 'PWNED'), 'utf8')).toBe('ran');
  });

  it('refuses a command job whose recorded command runs inline code', () => {
    const cwd = tmpDir({ 'conf/config.yaml': 'a: 1\n' });
    expect(runCli(['run', '--', 'node', '-e', '0'], { cwd }).code).toBe(0);
    const [dir] = runDirs(join(cwd, 'outputs'));
    const r = cli(['rerun', relative(cwd, dir!)], cwd);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('the command runs inline code: -e "0"');
    expect(runDirs(join(cwd, 'outputs'))).toHaveLength(1);
  });

  it('--dry-run shows the problems as warnings and runs nothing', () => {
    const { cwd, dir } = craftedRun((r) => (r.entry = 'outputs/crafted/payload.mjs'), { 'outputs/crafted/payload.mjs': payload });
    const r = cli(['rerun', dir, '--dry-run'], cwd);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/warning: the script .* lies inside recorded run data/);
    expect(existsSync(join(cwd, 'PWNED'))).toBe(false);
  });
});

describe('errors and help', () => {
  it.each([
    {
      name: 'a query syntax error with a caret',
      args: ['runs', 'list', 'optimizer.lr <'],
      code: 1,
      stderr: 'query:1:15  QUERY_SYNTAX\nExpected a value, got the end of the query\n   1 | optimizer.lr <\n     |               ^\n',
    },
    { name: 'an unknown subcommand', args: ['runs', 'lst'], code: 2, stderr: "USAGE\nUnknown subcommand 'runs lst'\nhint: did you mean 'list'" },
    { name: 'an unknown run', args: ['runs', 'show', 'nope'], code: 1, stderr: "RUN_NOT_FOUND\nNo run has the id or directory 'nope'\n" },
    { name: 'explain without a key', args: ['explain', 'x'], code: 2, stderr: 'USAGE\nusage: trellis explain RUN KEY\n' },
    { name: 'best without a metric', args: ['runs', 'best'], code: 2, stderr: 'USAGE\ntrellis runs best needs --metric NAME\n' },
  ])('$name', ({ args, code, stderr }) => {
    const r = cli(args, tmpDir());
    expect(r.stderr.startsWith(stderr), r.stderr).toBe(true);
    expect(r.code).toBe(code);
  });

  it.each([{ command: 'runs' }, { command: 'explain' }, { command: 'rerun' }])('trellis $command --help', ({ command }) => {
    const r = cli([command, '--help'], tmpDir());
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^trellis ${command}: `));
  });
});

describe('the run index with many writers at once', () => {
  /** A run as a job leaves it: written into a new directory of a date folder. */
  const addRun = (cwd: string, n: number) =>
    writeRun(join(cwd, 'outputs', `2026-11-${String(1 + (n % 20)).padStart(2, '0')}`, `r${n}`), {
      id: `run-${String(n).padStart(4, '0')}`,
      resolved: { optimizer: { name: n % 2 ? 'adam' : 'sgd', lr: n / 1000 }, seed: n },
      metrics: { val_loss: { last: n, min: n, max: n } },
    });
  const idsOf = (r: { code: number | null; stdout: string; stderr: string }) => {
    expect([r.code, r.stderr]).toEqual([0, '']);
    return (JSON.parse(r.stdout) as Array<{ id: string }>).map((run) => run.id).sort();
  };
  const idsUpTo = (n: number) => Array.from({ length: n }, (_, i) => `run-${String(i).padStart(4, '0')}`);
  /** Every index file is whole: its header's sections lie inside it and each parses. Returns the files' names. */
  const indexFilesWhole = (cwd: string) => {
    const dir = join(cwd, 'outputs/.trellis-index');
    const files = (readdirSync(dir, { recursive: true }) as string[]).filter((f) => f.endsWith('.json'));
    for (const file of files) readIndexSections(join(dir, file));
    return new Set(files.map((f) => f.split('/').pop()));
  };

  it('is never damaged and loses no run while processes list, query and add runs at once', async () => {
    const cwd = tmpDir();
    let n = 0;
    for (; n < 300; n++) addRun(cwd, n);
    ageTree(cwd);
    // Each kind of query writes its own part of the index: runs, summaries, configs.
    const queries = [
      ['runs', 'list'],
      ['runs', 'best', '--metric', 'val_loss', '--limit', '1000'],
      ['runs', 'list', 'optimizer.name = adam'],
    ];
    for (let round = 0; round < 4; round++) {
      const existing = idsUpTo(n);
      const listings = Array.from({ length: 6 }, (_, i) => spawnCli([...queries[i % 3]!, '--format', 'json'], { cwd }));
      for (let k = 0; k < 5; k++) addRun(cwd, n++); // runs appear while they list
      const results = await Promise.all(listings);
      for (const [i, result] of results.entries()) {
        const ids = idsOf(result);
        // A run that existed when a listing started is in it (queries list their matches only).
        const wanted = i % 3 === 2 ? existing.filter((id) => Number(id.slice(4)) % 2 === 1) : existing;
        expect(ids.filter((id) => wanted.includes(id))).toEqual(wanted);
      }
      if (round % 2 === 1) ageTree(cwd); // old enough for the index to take the new runs on trust
    }
    expect(indexFilesWhole(cwd)).toEqual(new Set(['runs.json', 'summaries.json', 'configs.json']));
    const all = idsUpTo(n);
    expect(idsOf(runCli(['runs', 'list', '--no-index', '--format', 'json'], { cwd }))).toEqual(all);
    expect(idsOf(runCli(['runs', 'list', '--format', 'json'], { cwd }))).toEqual(all);
    ageTree(cwd);
    for (const query of queries) {
      const fromFiles = idsOf(runCli([...query, '--no-index', '--format', 'json'], { cwd }));
      expect(idsOf(runCli([...query, '--format', 'json'], { cwd }))).toEqual(fromFiles);
      expect(idsOf(runCli([...query, '--format', 'json'], { cwd }))).toEqual(fromFiles);
    }
    expect(indexFilesWhole(cwd)).toEqual(new Set(['runs.json', 'summaries.json', 'configs.json']));
  }, 120_000);
});
