import { spawn } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliPath, repoRoot, runCli } from '../helpers/run-cli.js';
import { exited, stderrOf, waitFor } from '../helpers/wait.js';
import { tmpDir } from '../helpers/tmp-dir.js';

/**
 * A Hydra project written by hand in the layout Hydra 1.3 leaves (hydra/core/utils.py run_job and
 * the basic sweeper): two single runs under outputs/, a sweep of two jobs under multirun/ whose
 * second job's log reports an error. `<root>` in hydra.yaml stands for the project directory.
 */
const FIXTURE = join(repoRoot, 'test', 'fixtures', 'hydra');

function hydraProject(): string {
  const root = tmpDir();
  cpSync(join(FIXTURE, 'project'), root, { recursive: true });
  const fill = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) fill(p);
      else if (e.name === 'hydra.yaml' || e.name === 'multirun.yaml') writeFileSync(p, readFileSync(p, 'utf8').replaceAll('<root>', root));
    }
  };
  fill(root);
  return root;
}

/** Every file under the Hydra folders with its bytes and mtime: what "unchanged" means. */
function snapshot(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const top of ['outputs/2026-11-20', 'multirun']) {
    for (const e of readdirSync(join(root, top), { recursive: true, withFileTypes: true })) {
      if (!e.isFile()) continue;
      const p = join(e.parentPath, e.name);
      out[p.slice(root.length + 1)] = `${statSync(p).mtimeMs} ${readFileSync(p, 'utf8')}`;
    }
  }
  return out;
}

const cli = (args: string[], cwd: string, env?: Record<string, string>) => runCli(args, { cwd, ...(env ? { env } : {}) });
interface Row {
  id: string;
  status: string;
  dir: string;
  overrides: string[] | string;
}
const list = (cwd: string) => JSON.parse(cli(['runs', 'list', '--format', 'json', '--sort', 'dir'], cwd).stdout) as Row[];

describe('trellis import hydra', () => {
  it('imports runs and sweeps without changing them; a second import adds nothing', () => {
    const root = hydraProject();
    const before = snapshot(root);
    const first = cli(['import', 'hydra', 'outputs', 'multirun'], root);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('4 imported, 0 updated, 0 unchanged');
    expect(snapshot(root)).toEqual(before);
    const again = cli(['import', 'hydra', 'outputs', 'multirun', '--format', 'json'], root);
    expect(again.code).toBe(0);
    const actions = (JSON.parse(again.stdout) as { runs: Array<{ action: string }> }).runs.map((r) => r.action);
    expect(actions).toEqual(['unchanged', 'unchanged', 'unchanged', 'unchanged']);
    const runs = list(root);
    expect(runs.map((r) => [r.dir, r.status])).toEqual([
      ['outputs/hydra/multirun/2026-11-21/10-00-00/0', 'completed'],
      ['outputs/hydra/multirun/2026-11-21/10-00-00/1', 'failed'],
      ['outputs/hydra/outputs/2026-11-20/09-00-00', 'completed'],
      ['outputs/hydra/outputs/2026-11-20/09-05-00', 'completed'],
    ]);
    // The run's start is the first time in its job log (local time, as Hydra logs it).
    expect(runs[2]!.id).toMatch(/^20261120-090000-[0-9a-f]{6}$/);
    const query = cli(['runs', 'list', 'db.driver = postgresql and app.workers = 4', '--format', 'json'], root);
    expect((JSON.parse(query.stdout) as Row[]).map((r) => r.dir)).toEqual(['outputs/hydra/multirun/2026-11-21/10-00-00/1']);
  });

  it('writes the same records with several threads as with one, in the same order', () => {
    const root = hydraProject();
    const records = (into: string) => {
      const out: Record<string, string> = {};
      for (const e of readdirSync(join(root, into), { recursive: true, withFileTypes: true }))
        if (e.isFile()) out[join(e.parentPath, e.name).slice(join(root, into).length + 1)] = readFileSync(join(e.parentPath, e.name), 'utf8');
      return out;
    };
    const one = cli(['import', 'hydra', 'outputs', 'multirun', '--into', 'one', '--jobs', '1', '--format', 'json'], root);
    const three = cli(['import', 'hydra', 'outputs', 'multirun', '--into', 'three', '--jobs', '3', '--format', 'json'], root);
    expect(three.stderr).toBe('');
    expect(three.code).toBe(0);
    const rows = (r: { stdout: string }) =>
      (JSON.parse(r.stdout) as { runs: Array<{ id: string; dir: string }> }).runs.map((x) => [x.id, x.dir.split('/').slice(1).join('/')]);
    expect(rows(three)).toEqual(rows(one));
    // One file per run: the records are inline in run.json.
    expect(Object.keys(records('one')).map((f) => f.split('/').slice(-2).join('/'))).toEqual(Array(4).fill('.trellis/run.json'));
    expect(records('three')).toEqual(records('one'));
    const bad = cli(['import', 'hydra', 'outputs', '--jobs', '0'], root);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--jobs must be a whole number of at least 1, got '0'");
    // A thread's error reaches the user as it would from one thread: what, where and a hint.
    writeFileSync(join(root, 'a-file'), '');
    for (const jobs of ['1', '2']) {
      const blocked = cli(['import', 'hydra', 'outputs', '--into', 'a-file/x', '--jobs', jobs], root);
      expect(blocked.code).toBe(74);
      expect(blocked.stderr).toContain('Cannot make the run directory');
      expect(blocked.stderr).toContain('ENOTDIR');
      expect(blocked.stderr).toContain('--into must name a folder you can write to (it is a-file/x)');
      const verbose = cli(['import', 'hydra', 'outputs', '--into', 'a-file/x', '--jobs', jobs, '--verbose'], root);
      expect(verbose.stderr).toContain('caused by: Error: ENOTDIR: not a directory, mkdir');
    }
  });

  it('stops on Ctrl-C with every run it did whole, and the same command imports the rest', async () => {
    const root = hydraProject();
    const day = join(root, 'outputs', '2026-11-20');
    const RUNS = 2000;
    for (let i = 0; i < RUNS; i++) cpSync(join(day, '09-00-00'), join(day, `copy-${i}`), { recursive: true });
    rmSync(join(day, '09-00-00'), { recursive: true });
    rmSync(join(day, '09-05-00'), { recursive: true });
    const child = spawn(process.execPath, [cliPath, 'import', 'hydra', 'outputs', '--jobs', '2'], { cwd: root, env: { ...process.env, NO_COLOR: '1' } });
    const stderr = stderrOf(child);
    const shadowDay = join(root, 'outputs', 'hydra', 'outputs', '2026-11-20');
    const made = () => (existsSync(shadowDay) ? readdirSync(shadowDay).filter((n) => !n.startsWith('.')) : []);
    await waitFor(() => made().length > 0, 'the first imported run');
    child.kill('SIGINT');
    expect(await exited(child)).toBe(130);
    const done = Number(/import stopped by SIGINT after (\d+) of 2000 runs; run the same command again/.exec(stderr.text())?.[1]);
    expect(done).toBeGreaterThan(0);
    expect(done).toBeLessThan(RUNS);
    // Every run directory there is whole, none half-made (no staging folder left, none running).
    expect(readdirSync(shadowDay).filter((n) => n.startsWith('.'))).toEqual([]);
    expect(made()).toHaveLength(done);
    // What a kill -9 mid-run leaves: a run's staging folder, half-written. The store skips it.
    const notYet = [...Array(RUNS).keys()].map((i) => `copy-${i}`).find((name) => !made().includes(name))!;
    mkdirSync(join(shadowDay, `.${notYet}.importing`, '.trellis'), { recursive: true });
    writeFileSync(join(shadowDay, `.${notYet}.importing`, '.trellis', 'config.yaml'), 'half: ');
    const listed = list(root);
    expect(listed).toHaveLength(done);
    expect(new Set(listed.map((r) => r.status))).toEqual(new Set(['completed']));
    const rest = cli(['import', 'hydra', 'outputs'], root);
    expect(rest.code).toBe(0);
    expect(rest.stdout).toContain(`${RUNS - done} imported, 0 updated, ${done} unchanged`);
    expect(readdirSync(shadowDay).filter((n) => n.startsWith('.'))).toEqual([]);
    expect(list(root)).toHaveLength(RUNS);
  }, 120_000); // copying 2,000 run folders is slow on a disk busy with deletions

  it('keeps each run in one file, shows no record Hydra never made as missing, and upgrades runs imported as files', () => {
    const root = hydraProject();
    expect(cli(['import', 'hydra', 'outputs'], root).code).toBe(0);
    const run = 'outputs/hydra/outputs/2026-11-20/09-05-00';
    const records = join(root, run, '.trellis');
    expect(readdirSync(records)).toEqual(['run.json']);
    const runJson = JSON.parse(readFileSync(join(records, 'run.json'), 'utf8')) as Record<string, unknown> & { inline_records: Record<string, string> };
    expect(runJson.format_version).toBe(3);
    expect(Object.keys(runJson.inline_records).sort()).toEqual(['choices.yaml', 'config.yaml', 'overrides.yaml', 'resolved.yaml', 'summary.json']);
    expect(runJson.inline_records['overrides.yaml']).toBe(readFileSync(join(root, 'outputs/2026-11-20/09-05-00/.hydra/overrides.yaml'), 'utf8'));
    type Shown = {
      problems: string[];
      imported: unknown;
      status: string;
      resolved: { db: { driver: string } };
      overrides: string[];
      choices: Record<string, string>;
    };
    const show = () => JSON.parse(cli(['runs', 'show', run, '--format', 'json'], root).stdout) as Shown;
    const inline = show();
    // Hydra keeps no seeds, environment, git state or provenance: not missing, never made.
    const hydraDir = join(realpathSync(root), 'outputs/2026-11-20/09-05-00');
    expect(inline.imported).toEqual({ from: 'hydra', dir: hydraDir, version: '1.3.2' });
    expect(cli(['runs', 'show', run], root).stdout).toMatch(new RegExp(`\\nimported +from hydra 1\\.3\\.2: ${hydraDir}\\n`));
    expect(cli(['runs', 'show', run], root).stdout).not.toContain('records:');
    expect(inline).toMatchObject({
      problems: [],
      status: 'completed',
      resolved: { db: { driver: 'postgresql' } },
      overrides: ['db=postgresql'],
      choices: { db: 'postgresql' },
    });
    // A run imported before records went inline: files, and run.json without them. It reads the same.
    const { inline_records: texts, ...withoutInline } = runJson;
    for (const [file, text] of Object.entries(texts)) writeFileSync(join(records, file), text);
    writeFileSync(join(records, 'run.json'), JSON.stringify({ ...withoutInline, format_version: 2 }));
    expect(show()).toEqual(inline);
    // Importing again after the Hydra run changed rewrites it in one file; tags are kept.
    expect(cli(['runs', 'tag', run, 'kept'], root).code).toBe(0);
    const hydraConfig = join(root, 'outputs/2026-11-20/09-05-00/.hydra/config.yaml');
    writeFileSync(hydraConfig, readFileSync(hydraConfig, 'utf8').replace('driver: postgresql', 'driver: sqlite'));
    expect(cli(['import', 'hydra', 'outputs'], root).stdout).toContain('0 imported, 1 updated, 1 unchanged');
    expect(readdirSync(records)).toEqual(['run.json']);
    expect(show()).toMatchObject({ problems: [], resolved: { db: { driver: 'sqlite' } } });
    expect(JSON.parse(cli(['runs', 'list', 'tags = kept', '--format', 'json'], root).stdout)).toHaveLength(1);
  });

  it('diffs two imported runs and explains a value, with its origin unknown', () => {
    const root = hydraProject();
    expect(cli(['import', 'hydra', 'outputs'], root).code).toBe(0);
    const a = 'outputs/hydra/outputs/2026-11-20/09-00-00';
    const b = 'outputs/hydra/outputs/2026-11-20/09-05-00';
    const diff = cli(['runs', 'diff', a, b, '--format', 'json'], root);
    expect(diff.code).toBe(0);
    const categories = (JSON.parse(diff.stdout) as { categories: Record<string, Array<{ key: string; a?: unknown; b?: unknown }>> }).categories;
    expect(categories.choices).toEqual([{ key: 'db', a: 'mysql', b: 'postgresql' }]);
    expect(categories.config!.find((e) => e.key === 'db.driver')).toEqual({ key: 'db.driver', a: 'mysql', b: 'postgresql' });
    // Hydra saved `${app.name} with ${db.driver}`; the import resolved it for resolved.yaml.
    expect(categories.config!.find((e) => e.key === 'app.banner')).toEqual({ key: 'app.banner', a: 'my_app with mysql', b: 'my_app with postgresql' });
    const explain = cli(['explain', b, 'app.banner', '--format', 'json'], root);
    expect(explain.code).toBe(0);
    const e = JSON.parse(explain.stdout) as { value: unknown; composed: unknown; origin: { kind: string } };
    expect(e).toMatchObject({ value: 'my_app with postgresql', composed: '${app.name} with ${db.driver}', origin: { kind: 'unknown' } });
  });

  it('reruns an imported run with trellis while its config dir is there', () => {
    const root = hydraProject();
    expect(cli(['import', 'hydra', 'outputs'], root).code).toBe(0);
    // A stand-in for Python: it writes down how it was started.
    const bin = join(root, 'bin');
    mkdirSync(bin);
    // trellis also asks the interpreter about itself (`python -c …`, program.json): that probe fails here.
    writeFileSync(join(bin, 'python'), '#!/bin/sh\ncase "$1" in -c) exit 1;; esac\necho "$@" >> "$(dirname "$0")/../python-argv.txt"\n');
    chmodSync(join(bin, 'python'), 0o755);
    const r = cli(['rerun', 'outputs/hydra/outputs/2026-11-20/09-05-00'], root, { PATH: `${bin}:${process.env.PATH ?? ''}` });
    expect(r.code).toBe(0);
    expect(readFileSync(join(root, 'python-argv.txt'), 'utf8')).toBe('my_app.py db=postgresql\n');
    const rerun = list(root).find((x) => !x.dir.startsWith('outputs/hydra/'));
    expect(rerun?.status).toBe('completed');
  });

  it.each([
    { name: 'a folder that is no Hydra run', path: join(FIXTURE, 'not-hydra'), code: 'RUN_RECORD_INVALID', text: /is not a Hydra run folder and holds none/ },
    { name: 'a misspelt folder', path: 'outputz', code: 'RUN_NOT_FOUND', text: /No such directory: outputz\nhint: did you mean 'outputs'\?/ },
  ])('says so clearly for $name', ({ path, code, text }) => {
    const root = hydraProject();
    const r = cli(['import', 'hydra', path], root);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(code);
    expect(r.stderr).toMatch(text);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('trellis export mlflow from the command line', () => {
  it('answers --help for export and import', () => {
    for (const command of ['export', 'import']) {
      const r = cli([command, '--help'], tmpDir());
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`trellis ${command}`);
    }
  });

  it('exports imported Hydra runs: the sweep’s jobs nested under one parent, the config as dotted params', () => {
    const root = hydraProject();
    expect(cli(['import', 'hydra', 'outputs', 'multirun'], root).code).toBe(0);
    const r = cli(['export', 'mlflow', 'tags = hydra', '--to', 'mlruns', '--experiment', 'hydra', '--format', 'json'], root);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { experiment: { id: string }; runs: Array<{ mlflow_run_id: string; name: string; parent: string | null }> };
    expect(out.runs.map((x) => x.name).sort()).toEqual(['multirun/2026-11-21/10-00-00', 'my_app', 'my_app', 'my_app #0', 'my_app #1']);
    const parent = out.runs.find((x) => x.name.startsWith('multirun/'))!.mlflow_run_id;
    expect(out.runs.filter((x) => x.parent === parent).map((x) => x.name)).toEqual(['my_app #0', 'my_app #1']);
    const job1 = out.runs.find((x) => x.name === 'my_app #1')!.mlflow_run_id;
    const dir = join(root, 'mlruns', out.experiment.id, job1);
    expect(readFileSync(join(dir, 'params', 'db.driver'), 'utf8')).toBe('postgresql');
    expect(readFileSync(join(dir, 'params', 'app.workers'), 'utf8')).toBe('4');
    expect(readFileSync(join(dir, 'tags', 'mlflow.parentRunId'), 'utf8')).toBe(parent);
    // The records kept inside run.json become artifacts of their own, as a run's record files do.
    expect(readdirSync(join(dir, 'artifacts', 'trellis')).sort()).toEqual([
      'choices.yaml',
      'config.yaml',
      'overrides.yaml',
      'resolved.yaml',
      'run.json',
      'summary.json',
    ]);
    expect(readFileSync(join(dir, 'artifacts', 'trellis', 'config.yaml'), 'utf8')).toBe(
      readFileSync(join(root, 'multirun/2026-11-21/10-00-00/1/.hydra/config.yaml'), 'utf8'),
    );
    const text = cli(['export', 'mlflow', 'tags = hydra', '--experiment', 'hydra'], root);
    expect(text.stdout).toContain("exported 4 runs and 1 sweep parent run to mlruns, experiment 'hydra'");
  });
});
