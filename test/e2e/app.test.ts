import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadYaml } from '../../src/yaml/load.js';
import { tagged } from '../helpers/plain.js';
import { observedStatus } from '../../src/run/run-state.js';
import { repoRoot, runCli } from '../helpers/run-cli.js';
import { tmpDir } from '../helpers/tmp-dir.js';
import { customApp, readJson, readRecord, runDirs, runNode } from '../helpers/app-project.js';

const demo = join(repoRoot, 'dist', 'examples', 'train.js');

const run = runNode;
const record = readRecord;
const json = readJson;

function projectWithConf(): string {
  const dir = tmpDir();
  spawnSync('cp', ['-r', join(repoRoot, 'conf'), join(dir, 'conf')]);
  return dir;
}

describe('the demo app (npm start)', () => {
  it('runs the job in a new run directory holding every record of DESIGN.md §5', () => {
    const cwd = projectWithConf();
    const r = run(demo, ['optimizer=adam', 'trainer.epochs=4'], cwd);
    expect(r.stderr).toContain('[trellis] run completed: outputs/');
    expect(r.code).toBe(0);
    const [dir, ...more] = runDirs(join(cwd, 'outputs'));
    expect(more).toEqual([]);
    expect(dir).toMatch(/outputs\/\d{4}-\d{2}-\d{2}\/\d{2}-\d{2}-\d{2}$/);
    for (const file of [
      'run.json',
      'config.yaml',
      'resolved.yaml',
      'overrides.yaml',
      'choices.yaml',
      'seeds.json',
      'env.json',
      'git.json',
      'inputs.json',
      'metrics.jsonl',
      'summary.json',
    ]) {
      expect(existsSync(join(dir!, '.trellis', file)), file).toBe(true);
    }
    expect(existsSync(join(dir!, 'train.log'))).toBe(true);
    expect(existsSync(join(dir!, 'model.json'))).toBe(true);
    const runJson = json(dir!, 'run.json');
    expect(runJson).toMatchObject({
      name: 'train',
      status: 'completed',
      exit_code: 0,
      error: null,
      overrides: ['optimizer=adam', 'trainer.epochs=4'],
      config_name: 'config',
    });
    expect(typeof runJson.duration_s).toBe('number');
    expect(loadYaml(record(dir!, 'overrides.yaml'), 'o').root).toMatchObject({ kind: 'list' });
    expect(tagged(loadYaml(record(dir!, 'choices.yaml'), 'c').root)).toEqual({ model: 'linear', optimizer: 'adam', dataset: 'iris', trainer: 'default' });
    // config.yaml keeps interpolations; resolved.yaml is what the job saw.
    expect(record(dir!, 'config.yaml')).toContain('features: ${dataset.features}');
    const resolved = tagged(loadYaml(record(dir!, 'resolved.yaml'), 'r').root) as Record<string, Record<string, unknown>>;
    expect(resolved.model).toEqual({ name: 'linear', features: 4, classes: 3 });
    expect(resolved.name).toBe('iris-linear');
    expect(resolved.optimizer).toEqual({ name: 'adam', lr: { $float: 0.01 }, betas: [{ $float: 0.9 }, { $float: 0.999 }] });
    // Round trip: resolved.yaml reads back as exactly what `trellis compose --resolve` gives.
    const composed = runCli(['compose', '--resolve', 'optimizer=adam', 'trainer.epochs=4'], { cwd });
    expect(tagged(loadYaml(record(dir!, 'resolved.yaml'), 'r').root)).toEqual(tagged(loadYaml(composed.stdout, 'c').root));
    expect(json(dir!, 'seeds.json')).toMatchObject({
      master: 42,
      derived: { split: expect.any(Number), init: expect.any(Number), batches: expect.any(Number) },
    });
    const env = json(dir!, 'env.json') as {
      runtime: { node: string };
      cpu: { count: number };
      packages: { dependencies: Record<string, { installed: string | null }> };
      invocation: { argv: string[] };
    };
    expect(env.runtime.node).toBe(process.versions.node);
    expect(env.cpu.count).toBeGreaterThan(0);
    expect(env.invocation.argv).toEqual(['optimizer=adam', 'trainer.epochs=4']);
    // The temp project is not a git work tree: git.json says so instead of failing.
    expect(json(dir!, 'git.json')).toMatchObject({ available: false });
    expect(json(dir!, 'inputs.json')).toEqual([]);
    expect(json(dir!, 'provenance.json')).toMatchObject({
      'optimizer.name': { value: 'adam', file: 'conf/optimizer/adam.yaml', line: 1, col: 7 },
      'trainer.epochs': { value: 4, override: 'trainer.epochs=4' },
    });
    const lines = record(dir!, 'metrics.jsonl')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, number>);
    expect(lines.map((l) => l.step)).toEqual([1, 2, 3, 4]);
    for (const l of lines) expect(Object.keys(l).sort()).toEqual(['step', 'time', 'train_acc', 'train_loss', 'val_acc', 'val_loss']);
    const summary = json(dir!, 'summary.json') as { metrics: Record<string, { last: number }>; result: { val_loss: number } };
    expect(summary.result.val_loss).toBe(lines.at(-1)!.val_loss);
    expect(summary.metrics.train_loss!.last).toBe(lines.filter((l) => 'train_loss' in l).at(-1)!.train_loss);
  });

  it('reproduces: the same config and seed give the same metrics', () => {
    const cwd = projectWithConf();
    run(demo, ['trainer.epochs=3', 'hydra.run.dir=out/a'], cwd);
    run(demo, ['trainer.epochs=3', 'hydra.run.dir=out/b'], cwd);
    const strip = (dir: string) => record(dir, 'metrics.jsonl').replace(/"time":[\d.]+,/g, '');
    expect(strip(join(cwd, 'out/a'))).toBe(strip(join(cwd, 'out/b')));
    run(demo, ['trainer.epochs=3', 'hydra.run.dir=out/c', 'seed=7'], cwd);
    expect(strip(join(cwd, 'out/c'))).not.toBe(strip(join(cwd, 'out/a')));
  });

  it('never reuses a run directory (a fixed run.dir twice)', () => {
    const cwd = projectWithConf();
    run(demo, ['trainer.epochs=1', 'trellis.run.dir=out/fixed'], cwd);
    run(demo, ['trainer.epochs=1', 'trellis.run.dir=out/fixed'], cwd);
    expect(runDirs(join(cwd, 'out')).map((d) => d.slice(cwd.length + 1))).toEqual(['out/fixed', 'out/fixed_1']);
  });

  it('refuses a config that does not match the schema before anything runs, naming key, value and override', () => {
    const cwd = projectWithConf();
    const r = run(demo, ['optimizer.lr=abc'], cwd);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("override #1 'optimizer.lr=abc'  VALIDATION_FAILED");
    expect(r.stderr).toContain("optimizer.lr: expected number, received string; got 'abc'");
    expect(existsSync(join(cwd, 'outputs'))).toBe(false);
  });

  it('prints configs with --cfg instead of running', () => {
    const cwd = projectWithConf();
    const job = run(demo, ['--cfg', 'job', '--resolve', 'model=mlp'], cwd);
    expect(job.code).toBe(0);
    expect(tagged(loadYaml(job.stdout, 'out').root)).toMatchObject({ model: { name: 'mlp', features: 4, hidden: 16 } });
    const hydra = run(demo, ['--cfg', 'hydra', 'optimizer=adam'], cwd);
    expect(tagged(loadYaml(hydra.stdout, 'out').root)).toMatchObject({
      hydra: { job: { name: 'train', override_dirname: 'optimizer=adam' }, runtime: { choices: { optimizer: 'adam' } } },
    });
    expect(run(demo, ['--cfg', 'job', '--package', 'optimizer.lr'], cwd).stdout).toBe('0.1\n');
    expect(existsSync(join(cwd, 'outputs'))).toBe(false);
  });

  it('--cfg job --package KEY --resolve fails on a ??? value, as Hydra does, and prints it unresolved', () => {
    const cwd = customApp('async () => ({})', { 'conf/config.yaml': 'a:\n  b: ???\n  c: 1\n' });
    const resolved = run(join(cwd, 'app.mjs'), ['--cfg', 'job', '--package', 'a.b', '--resolve'], cwd);
    expect(resolved.code).toBe(1);
    expect(resolved.stderr).toContain('conf/config.yaml:2:6  MISSING_VALUE');
    expect(resolved.stderr).toContain('Missing mandatory value: a.b');
    expect(resolved.stdout).toBe('');
    const raw = run(join(cwd, 'app.mjs'), ['--cfg', 'job', '--package', 'a.b'], cwd);
    expect([raw.code, raw.stdout]).toEqual([0, '???\n']);
    expect(run(join(cwd, 'app.mjs'), ['--cfg', 'job', '--package', 'a.c', '--resolve'], cwd).stdout).toBe('1\n');
  });

  it('answers --help with groups, options, schema descriptions and the config; --info with the defaults list', () => {
    const cwd = projectWithConf();
    const help = run(demo, ['--help'], cwd);
    expect(help.stdout).toContain('== Configuration groups ==');
    expect(help.stdout).toMatch(/optimizer\s+adam, sgd/);
    expect(help.stdout).toMatch(/seed\s+integer\s+master seed; every derived seed is recorded/);
    expect(help.stdout).toMatch(/tags\s+array\s+free-form labels \(default: \[\]\)/);
    expect(help.stdout).toContain('== Config ==');
    const info = run(demo, ['--info'], cwd);
    expect(info.stdout).toContain('Config search path:');
    expect(info.stdout).toMatch(/optimizer\/sgd\s+optimizer\s+config/);
  });
});

describe('custom apps', () => {
  it('--version prints the app’s version and trellis’s, and runs no job', () => {
    const trellis = (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version;
    const cwd = customApp(`async () => { throw new Error('the job must not run'); }`, {
      'conf/config.yaml': 'a: 1\n',
      'package.json': JSON.stringify({ name: 'my-experiments', version: '1.2.3', type: 'module' }),
    });
    const r = runNode(join(cwd, 'app.mjs'), ['--version'], cwd);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`my-experiments 1.2.3\ntrellis ${trellis}\n`);
    expect(existsSync(join(cwd, 'outputs'))).toBe(false);
  });

  it('an unknown flag names the app, its --help, and how a config value is set', () => {
    const cwd = customApp(`async () => { throw new Error('the job must not run'); }`, { 'conf/config.yaml': 'epochs: 1\n' });
    const r = runNode(join(cwd, 'app.mjs'), ['--epochs', '3'], cwd);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("Unknown option '--epochs' for 'node app.mjs'");
    expect(r.stderr).toContain("hint: see 'node app.mjs --help'; a config value is set without dashes: KEY=VALUE (e.g. epochs=…)");
    expect(r.stderr).not.toContain('trellis app');
  });

  it('records a failing job as failed, with the error and its stack, and exits 1', () => {
    const cwd = customApp(`async (cfg, run) => { run.log({ a: 1 }); throw new Error('boom ' + cfg.x); }`, { 'conf/config.yaml': 'x: 5\n' });
    const r = run(join(cwd, 'app.mjs'), [], cwd);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('run failed');
    const [dir] = runDirs(join(cwd, 'outputs'));
    const runJson = json(dir!, 'run.json') as { status: string; exit_code: number; error: { message: string; stack: string } };
    expect(runJson.status).toBe('failed');
    expect(runJson.exit_code).toBe(1);
    expect(runJson.error.message).toBe('boom 5');
    expect(runJson.error.stack).toContain('app.mjs');
    expect(record(dir!, 'metrics.jsonl')).toContain('"a":1');
    expect(readFileSync(join(dir!, 'job.log'), 'utf8')).toContain('boom 5');
  });

  it('redacts secrets read with oc.env from every record', () => {
    const cwd = customApp(`async (cfg, run) => { run.logger.info('token is ' + cfg.token); return { echoed: cfg.token }; }`, {
      'conf/config.yaml': 'token: ${oc.env:MY_API_TOKEN}\nurl: https://user:${oc.env:MY_API_TOKEN}@example.invalid/x\n',
    });
    const r = run(join(cwd, 'app.mjs'), [], cwd, { MY_API_TOKEN: 'supersecretvalue123' });
    expect(r.code).toBe(0);
    const [dir] = runDirs(join(cwd, 'outputs'));
    const everything = [...readdirSync(join(dir!, '.trellis')).map((f) => record(dir!, f)), readFileSync(join(dir!, 'job.log'), 'utf8')].join('\n');
    expect(everything).toContain('token is ***');
    expect(everything).not.toContain('supersecretvalue123');
    expect(r.stderr).not.toContain('supersecretvalue123');
    expect(record(dir!, 'resolved.yaml')).toContain("token: '***'");
    expect(record(dir!, 'summary.json')).toContain('***');
  });

  it('keeps planted secrets out of every record of a sweep: metrics, notes, tags, return values and errors', () => {
    // The job never reads the secret through the config: it only knows it from its environment,
    // and trellis knows it from the variable's name.
    const secret = 'planted-secret-4d5e6f7a8b';
    const cwd = customApp(
      `async (cfg, run) => {
        const s = process.env.SERVICE_API_KEY;
        run.log({ status: 'using ' + s, loss: 1 });
        run.note('key ' + s);
        run.tag('k-' + s);
        if (cfg.fail) throw new Error('refused by ' + s);
        return { echoed: s };
      }`,
      { 'conf/config.yaml': 'fail: false\n' },
    );
    const r = run(join(cwd, 'app.mjs'), ['-m', 'fail=false,true'], cwd, { SERVICE_API_KEY: secret });
    expect(r.code).toBe(1);
    const files: string[] = [];
    const walk = (dir: string) => {
      for (const e of readdirSync(dir, { withFileTypes: true })) e.isDirectory() ? walk(join(dir, e.name)) : files.push(join(dir, e.name));
    };
    walk(join(cwd, 'multirun'));
    const texts = files.map((f) => readFileSync(f, 'utf8'));
    // The records are all there, so the scan below is not vacuous.
    expect(files.some((f) => f.endsWith('sweep.json'))).toBe(true);
    expect(files.filter((f) => f.endsWith('metrics.jsonl'))).toHaveLength(2);
    expect(texts.join('\n')).toContain('using ***');
    expect(texts.join('\n')).toContain('refused by ***');
    const leaking = files.filter((_, i) => texts[i]!.includes(secret));
    expect(leaking).toEqual([]);
    expect(r.stderr).not.toContain(secret);
  });

  it('records tags, notes, artifacts and tracked inputs; the job never changes the working directory', () => {
    const cwd = customApp(
      `async (cfg, run) => {
        run.tag('baseline', 'small'); run.note('first try');
        await run.trackInput('data.csv');
        await run.saveArtifact('plots/out.txt', 'hello');
        return { cwd: process.cwd(), dir: run.dir };
      }`,
      { 'conf/config.yaml': 'a: 1\n', 'data.csv': 'x,y\n1,2\n' },
    );
    const r = run(join(cwd, 'app.mjs'), [], cwd);
    expect(r.code).toBe(0);
    const [dir] = runDirs(join(cwd, 'outputs'));
    const runJson = json(dir!, 'run.json') as { tags: string[]; notes: string[]; artifacts: Array<{ name: string; size: number }> };
    expect(runJson.tags).toEqual(['baseline', 'small']);
    expect(runJson.notes).toEqual(['first try']);
    expect(runJson.artifacts).toMatchObject([{ name: 'plots/out.txt', size: 5 }]);
    expect(readFileSync(join(dir!, 'plots', 'out.txt'), 'utf8')).toBe('hello');
    const sha256 = createHash('sha256').update('x,y\n1,2\n').digest('hex');
    expect(JSON.parse(record(dir!, 'inputs.json'))).toEqual([{ path: 'data.csv', size: 8, sha256 }]);
    const summary = JSON.parse(record(dir!, 'summary.json')) as { result: { cwd: string; dir: string } };
    expect(summary.result.cwd).toBe(cwd);
    expect(summary.result.dir).toBe(dir);
  });

  async function startAndSignal(signal: NodeJS.Signals) {
    const cwd = customApp(`async (cfg, run) => { run.log({ x: 1 }); run.logger.info('started'); await new Promise((r) => setTimeout(r, 20000)); }`, {
      'conf/config.yaml': 'a: 1\n',
    });
    const child = spawn(process.execPath, [join(cwd, 'app.mjs')], { cwd, env: { ...process.env, NO_COLOR: '1' } });
    await new Promise<void>((resolve) => child.stderr.on('data', (d: Buffer) => d.toString().includes('started') && resolve()));
    child.kill(signal);
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    const [dir] = runDirs(join(cwd, 'outputs'));
    return { code, dir: dir! };
  }

  it.each([
    { signal: 'SIGINT' as const, code: 130 },
    { signal: 'SIGTERM' as const, code: 143 },
  ])('marks a run interrupted by $signal after flushing its metrics', async ({ signal, code }) => {
    const r = await startAndSignal(signal);
    expect(r.code).toBe(code);
    expect(json(r.dir, 'run.json')).toMatchObject({ status: 'interrupted', exit_code: code });
    expect(record(r.dir, 'metrics.jsonl')).toContain('"x":1');
  });

  it('a run killed with -9 stays "running" and reads as crashed once its heartbeat is stale', async () => {
    const r = await startAndSignal('SIGKILL');
    expect(r.code).toBeNull();
    const runJson = json(r.dir, 'run.json');
    expect(runJson.status).toBe('running');
    expect(observedStatus(runJson)).toBe('running');
    expect(observedStatus(runJson, new Date(Date.now() + 60_000))).toBe('crashed');
  });

  it('20 runs started at once get 20 distinct directories with complete records', async () => {
    const cwd = customApp(`async (cfg, run) => { run.log({ v: cfg.v }); return { ok: true }; }`, { 'conf/config.yaml': 'v: 1\n' });
    const children = Array.from({ length: 20 }, () => spawn(process.execPath, [join(cwd, 'app.mjs')], { cwd, env: { ...process.env, NO_COLOR: '1' } }));
    const codes = await Promise.all(children.map((c) => new Promise<number | null>((resolve) => c.on('exit', (code) => resolve(code)))));
    expect(codes).toEqual(Array(20).fill(0));
    const dirs = runDirs(join(cwd, 'outputs'));
    expect(new Set(dirs).size).toBe(20);
    for (const dir of dirs) {
      expect(json(dir, 'run.json').status).toBe('completed');
      expect(JSON.parse(record(dir, 'summary.json'))).toMatchObject({ result: { ok: true }, metrics: { v: { last: 1 } } });
    }
  }, 60_000);
});

describe('a project laid out like lightning-hydra-template runs unchanged', () => {
  const layout = join(repoRoot, 'test', 'fixtures', 'lightning-layout');
  /** The app the template's README runs: `python src/train.py experiment=example.yaml`. */
  function templateProject(): string {
    const cwd = customApp(
      `async (cfg, run) => { run.logger.info('training ' + cfg.task_name); run.log({ loss: 0.5 }); return { paths: cfg.paths }; }`,
      {},
      'train',
    );
    cpSync(join(layout, 'configs'), join(cwd, 'configs'), { recursive: true });
    return cwd;
  }
  const args = ['--config-dir', 'configs', '--config-name', 'train.yaml'];

  it('runs, fills runtime.cwd and runtime.output_dir, and writes the log file the hydra node names into the run directory', () => {
    const cwd = templateProject();
    const r = run(join(cwd, 'app.mjs'), [...args, 'experiment=example.yaml'], cwd);
    expect(r.stderr).toContain('run completed');
    expect(r.code).toBe(0);
    const [dir] = runDirs(join(cwd, 'logs', 'train', 'runs'));
    expect(dir).toBeDefined();
    const config = loadYaml(readRecord(dir!, 'resolved.yaml'), 'resolved.yaml').root;
    expect(tagged(config)).toMatchObject({ seed: 12345, model: { lr: { $float: 0.002 } }, paths: { output_dir: dir, work_dir: cwd } });
    // The hydra node is not part of the job's config.
    expect(tagged(config)).not.toHaveProperty('hydra');
    expect(readFileSync(join(dir!, 'train.log'), 'utf8')).toContain('training train');
  });

  it('--cfg job --resolve works, and a sweep gives each job its own output_dir', () => {
    const cwd = templateProject();
    const cfg = run(join(cwd, 'app.mjs'), [...args, '--cfg', 'job', '--resolve', 'debug=default'], cwd);
    expect(cfg.code).toBe(0);
    const printed = tagged(loadYaml(cfg.stdout, 'out').root) as { task_name: string; paths: { output_dir: string; work_dir: string } };
    expect(printed.task_name).toBe('debug');
    expect(printed.paths.work_dir).toBe(cwd);
    expect(printed.paths.output_dir.startsWith(join(cwd, 'logs', 'debug', 'runs'))).toBe(true);
    const sweep = run(join(cwd, 'app.mjs'), [...args, '-m', 'seed=1,2'], cwd);
    expect(sweep.code).toBe(0);
    const dirs = runDirs(join(cwd, 'logs', 'train', 'multiruns'));
    expect(dirs).toHaveLength(2);
    for (const dir of dirs) {
      expect(readJson<{ result: { paths: { output_dir: string } } }>(dir, 'summary.json').result.paths.output_dir).toBe(dir);
      expect(existsSync(join(dir, 'train.log'))).toBe(true);
    }
  });
});
