import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readJson, readRecord, runDirs } from '../helpers/app-project.js';
import { cliPath, runCli } from '../helpers/run-cli.js';
import { makeVenv, setDistribution } from '../helpers/python-env.js';
import { startCluster } from '../helpers/slurm-cluster.js';
import { tmpDir } from '../helpers/tmp-dir.js';
import { alive, exited, jsonIf, stderrOf, waitFor } from '../helpers/wait.js';

const fixture = join(import.meta.dirname, '..', 'fixtures', 'command');
const project = () => tmpDir({}, fixture);

type RunJson = {
  status: string;
  exit_code: number;
  name: string;
  error: { type: string; message: string } | null;
  command: { template: string[]; args: string[]; pass_overrides: boolean };
  artifacts: Array<{ name: string; size: number }>;
};
type Summary = { metrics: Record<string, { last: number; count: number }> };

const onlyRun = (cwd: string) => {
  const dirs = runDirs(join(cwd, 'outputs'));
  expect(dirs).toHaveLength(1);
  return dirs[0]!;
};

/** Starts `trellis run …` without waiting; resolves once `ready` holds for the new run's directory. */
async function startCli(cwd: string, args: string[], ready: (dir: string) => boolean) {
  const child = spawn(process.execPath, [cliPath, ...args], { cwd, env: { ...process.env, NO_COLOR: '1' } });
  const err = stderrOf(child);
  child.stdout.resume();
  const dir = await waitFor(() => runDirs(cwd).find(ready), 'the job to start');
  return { child, err, dir };
}

const pidIn = (dir: string, file = 'pid') => (existsSync(join(dir, file)) ? Number(readFileSync(join(dir, file), 'utf8')) || undefined : undefined);

describe('trellis run -- COMMAND: a program in any language is a job', () => {
  it('a Python job gets its config, interpolated arguments and environment; its metrics come from the file and from stdout', () => {
    const cwd = project();
    const r = runCli(['run', 'lr=0.5', '--seeds', 'numpy', '--', 'python3', 'job.py', '--lr', '${lr}', '--out', '${trellis:runtime.output_dir}', '\\${lr}'], {
      cwd,
    });
    expect(r.stderr).toContain('[trellis] run completed');
    expect(r.code).toBe(0);
    const dir = onlyRun(cwd);
    const seen = JSON.parse(readFileSync(join(dir, 'seen.json'), 'utf8')) as { argv: string[]; cfg: unknown; env: Record<string, string>; yaml: string };
    expect(seen.argv).toEqual(['--lr', '0.5', '--out', dir, '${lr}']);
    expect(seen.cfg).toEqual({ lr: 0.5, epochs: 3, exit_code: 0, name: 'fixture' });
    expect(seen.yaml).toContain('lr: 0.5');
    const seeds = readJson<{ master: number; derived: Record<string, number> }>(dir, 'seeds.json');
    expect(seen.env).toMatchObject({
      TRELLIS_RUN_DIR: dir,
      TRELLIS_SEED: String(seeds.master),
      TRELLIS_SEEDS: JSON.stringify({ numpy: seeds.derived.numpy }),
      TRELLIS_METRICS: join(dir, '.trellis', 'metrics.jsonl'),
      TRELLIS_ARTIFACTS: join(dir, 'artifacts'),
      TRELLIS_CONTROL: join(dir, '.trellis', 'control.json'),
      PYTHONUNBUFFERED: '1',
    });
    // The config files with secrets in clear exist only while the job runs.
    expect(existsSync(seen.env.TRELLIS_CONFIG!)).toBe(false);
    const summary = readJson<Summary>(dir, 'summary.json');
    expect(summary.metrics.loss).toMatchObject({ last: 0.5, count: 3 });
    expect(summary.metrics.acc).toMatchObject({ last: 0.2, count: 3 });
    // Protocol lines are metrics, not log lines; everything else is in the log, in order.
    expect(readFileSync(join(dir, 'job.log'), 'utf8')).toBe('epoch 0\nepoch 1\nepoch 2\na line on stderr\n');
    expect(r.stdout).toBe('epoch 0\nepoch 1\nepoch 2\n');
    const run = readJson<RunJson>(dir, 'run.json');
    // Format 2: every record in its file, so a trellis that predates inline records reads it too.
    expect(run).toMatchObject({ format_version: 2, status: 'completed', exit_code: 0, name: 'job' });
    expect(run.command.template).toEqual(['python3', 'job.py', '--lr', '${lr}', '--out', '${trellis:runtime.output_dir}', '\\${lr}']);
    expect(run.command.args).toEqual(['python3', 'job.py', ...seen.argv]);
  });

  it('a shell job that fails records its exit code and the end of its stderr', () => {
    const cwd = project();
    const r = runCli(['run', '--', './job.sh', '1', 'fail'], { cwd });
    expect(r.code).toBe(1);
    const run = readJson<RunJson>(onlyRun(cwd), 'run.json');
    expect(run.status).toBe('failed');
    expect(run.error).toMatchObject({ type: 'CommandFailed' });
    expect(run.error!.message).toContain("'./job.sh 1 fail' exited with code 3");
    expect(run.error!.message).toContain('bad input on line 3');
    expect(r.stderr).toContain('bad input on line 3');
  });

  it('names a failing command the way a shell would type it, and runs show prints the command', () => {
    const cwd = project();
    expect(runCli(['run', '--', 'sh', '-c', 'exit 2'], { cwd }).code).toBe(1);
    const dir = onlyRun(cwd);
    expect(readJson<RunJson>(dir, 'run.json').error!.message).toBe(`"sh -c 'exit 2'" exited with code 2`);
    const show = runCli(['runs', 'show', dir], { cwd });
    expect(show.stdout).toMatch(/^command +sh -c 'exit 2'$/m);
  });

  it('--format json keeps stdout for the summary: the program prints to stderr and its log', () => {
    const cwd = project();
    const r = runCli(['run', '--format', 'json', '--', 'sh', '-c', 'echo epoch 1'], { cwd });
    expect(r.code).toBe(0);
    const summary = JSON.parse(r.stdout) as { run_dir: string; status: string };
    expect(summary.status).toBe('completed');
    expect(r.stderr).toContain('epoch 1');
    expect(readFileSync(join(cwd, summary.run_dir, 'sh.log'), 'utf8')).toBe('epoch 1\n');
  });

  it('lines the program wrote to its metrics file that are no metrics are named at the end', () => {
    const cwd = project();
    const r = runCli(['run', '--', 'sh', '-c', 'echo "not json" >> "$TRELLIS_METRICS"; echo \'{"acc": 1}\' >> "$TRELLIS_METRICS"'], { cwd });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('[trellis] 1 line of metrics.jsonl is not a JSON object of metrics and was left out (line 1: "not json")');
    expect(readJson<Summary>(onlyRun(cwd), 'summary.json').metrics.acc).toMatchObject({ count: 1, last: 1 });
  });

  it('a run whose directory is gone before its records are written says why, exit 74', () => {
    const cwd = project();
    // Again until it is gone: trellis may be writing into it (program.json) at the same moment.
    const r = runCli(['run', '--', 'sh', '-c', 'while [ -e "$TRELLIS_RUN_DIR" ]; do rm -rf "$TRELLIS_RUN_DIR" 2>/dev/null; done'], { cwd });
    expect(r.code).toBe(74);
    expect(r.stderr).toMatch(/run failed \(outputs\/[^)]+\): RUN_IO\nthe run's records could not be written: Cannot write .* \(ENOENT\)/);
    expect(r.stderr).not.toContain('undefined');
  });

  it('a job killed by a signal is recorded failed, with the signal', () => {
    const cwd = project();
    expect(runCli(['run', '--', './job.sh', '1', 'die'], { cwd }).code).toBe(1);
    const run = readJson<RunJson>(onlyRun(cwd), 'run.json');
    expect(run).toMatchObject({ status: 'failed', exit_code: 1 });
    expect(run.error!.message).toContain('was killed by SIGKILL');
  });

  it('a Node job reports metrics on stdout', () => {
    const cwd = project();
    expect(runCli(['run', 'name=n1', '--', process.execPath, 'job.mjs'], { cwd }).code).toBe(0);
    const dir = onlyRun(cwd);
    expect(readJson<Summary>(dir, 'summary.json').metrics.loss).toMatchObject({ count: 3, last: 0.1 / 3 });
    expect(readFileSync(join(dir, 'job.log'), 'utf8')).toBe('node job n1\n');
  });

  it('a job over its --timeout is stopped and recorded failed', () => {
    const cwd = project();
    const r = runCli(['run', '--timeout', '0.5', '--kill-after', '1', '--', 'sleep', '30'], { cwd });
    expect(r.code).toBe(1);
    const run = readJson<RunJson>(onlyRun(cwd), 'run.json');
    expect(run.error).toMatchObject({ type: 'CommandTimeout', message: 'timed out after 0.5 s' });
    // The control file tells the program why it is asked to stop.
    expect(readJson(onlyRun(cwd), 'control.json')).toMatchObject({ action: 'stop', reason: 'timed out after 0.5 s' });
  });

  it('a model-based sweep of a program needs the metric to learn from, before anything runs', () => {
    const cwd = project();
    const r = runCli(['run', '-m', '--sweeper', 'tpe', '--trials', '3', 'lr=interval(0, 1)', '--', 'python3', 'job.py'], { cwd });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--sweeper tpe needs --objective NAME to learn from a program's runs");
    expect(existsSync(join(cwd, 'multirun'))).toBe(false);
  });

  it.each([
    { name: 'a misspelt config key in the command', args: ['--', 'python3', 'job.py', '${lrr}'], message: /Command argument 3 '\$\{lrr\}'/, code: 1 },
    { name: 'a program that does not exist', args: ['--', 'pyhton3', 'job.py'], message: /Command not found: 'pyhton3'/, code: 2 },
    { name: 'no command at all', args: ['lr=1'], message: /needs the program to run, after --/, code: 2 },
    // An unset shell variable: `trellis run -- "$PY" job.py`.
    { name: 'an empty program', args: ['--', '', 'job.py'], message: /The command's program is an empty string/, code: 2 },
    // A directory has the x bit, but is no program.
    { name: 'a directory as the program', args: ['--', './conf'], message: /Command not found: '\.\/conf'/, code: 2 },
    // Node's timers would fire at once beyond 2^31 - 1 ms.
    {
      name: 'a --timeout longer than 24 days',
      args: ['--timeout', '2592000', '--', 'true'],
      message: /--timeout 2592000 is longer than trellis can wait/,
      code: 2,
    },
    { name: 'a --kill-after longer than 24 days', args: ['--kill-after', '2592000', '--', 'true'], message: /--kill-after 2592000 is longer/, code: 2 },
  ])('$name fails before any run directory exists', ({ args, message, code }) => {
    const cwd = project();
    const r = runCli(['run', ...args], { cwd });
    expect(r.code).toBe(code);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(join(cwd, 'outputs'))).toBe(false);
  });

  it('a program that interpolates to an empty string fails its run, which keeps no config in clear', () => {
    const cwd = project();
    writeFileSync(join(cwd, 'conf', 'config.yaml'), 'py: ""\n');
    const r = runCli(['run', '--', '${py}', 'job.py'], { cwd });
    expect(r.code).toBe(1);
    expect(r.stderr).not.toContain('INTERNAL');
    const dir = onlyRun(cwd);
    const run = readJson<RunJson>(dir, 'run.json');
    expect(run.status).toBe('failed');
    expect(run.error?.message).toMatch(/Cannot start/);
    expect(existsSync(join(dir, '.trellis', 'job-config.json'))).toBe(false);
    expect(existsSync(join(dir, '.trellis', 'job-config.yaml'))).toBe(false);
  });

  it.each([
    {
      name: 'Windows line endings',
      script: '#!/bin/sh\r\necho hi\r\n',
      message: /the interpreter its #! line names was not found/,
      hint: /Windows line endings.*dos2unix/,
    },
    {
      name: 'a missing interpreter',
      script: '#!/nonexistent/interp\necho hi\n',
      message: /its #! line names \(\/nonexistent\/interp\) was not found/,
      hint: /install \/nonexistent\/interp/,
    },
  ])('a script whose #! interpreter cannot start says so: $name', ({ script, message, hint }) => {
    const cwd = project();
    writeFileSync(join(cwd, 'job.sh'), script, { mode: 0o755 });
    const r = runCli(['run', '--', './job.sh'], { cwd });
    expect(r.code).toBe(1);
    const run = readJson<RunJson>(onlyRun(cwd), 'run.json');
    expect(run.error?.message).toMatch(message);
    expect(r.stderr).toMatch(hint);
    expect(r.stderr).not.toContain('(././job.sh)');
  });

  it('one bad job of a sweep (its command does not interpolate) stops the sweep before anything runs', () => {
    const cwd = project();
    writeFileSync(join(cwd, 'conf', 'config.yaml'), 'mode: x\nx: {lr: 1}\ny: {}\nepochs: 1\n');
    const r = runCli(['run', '-m', 'mode=x,y', '--', 'python3', 'job.py', '${${mode}.lr}'], { cwd });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('Job #1 (mode=y)');
    expect(existsSync(join(cwd, 'multirun'))).toBe(false);
  });

  it('--cfg prints the config and runs nothing', () => {
    const cwd = project();
    const r = runCli(['run', '--cfg', 'job', 'lr=2', '--', 'python3', 'job.py'], { cwd });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('lr: 2\nepochs: 3\nexit_code: 0\nname: fixture\n');
    expect(existsSync(join(cwd, 'outputs'))).toBe(false);
  });

  it('--schema validates the config with a zod schema from the project before the job starts', () => {
    const zod = JSON.stringify(join(import.meta.dirname, '..', '..', 'node_modules', 'zod', 'index.js'));
    const cwd = tmpDir(
      { 'schema.mjs': `import { z } from ${zod};\nexport const schema = z.object({ lr: z.number().positive(), epochs: z.number().int() }).loose();\n` },
      fixture,
    );
    const bad = runCli(['run', '--schema', 'schema.mjs', 'lr=-1', '--', 'python3', 'job.py'], { cwd });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/lr/);
    expect(existsSync(join(cwd, 'outputs'))).toBe(false);
    const good = runCli(['run', '--schema', './schema.mjs:schema', 'lr=0.3', '--', 'python3', 'job.py'], { cwd });
    expect(good.code).toBe(0);
    const wrong = runCli(['run', '--schema', 'schema.mjs:nope', '--', 'python3', 'job.py'], { cwd });
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain("export 'nope' is not a zod schema");
  });
});

describe('trellis run: secrets stay out of the records trellis writes for a program', () => {
  it('redacts a secret-named variable in the metrics lines a program prints', () => {
    const cwd = project();
    const secret = 'planted-token-0a1b2c3d4e';
    const line = `console.log('@trellis ' + JSON.stringify({ step: 0, status: 'using ' + process.env.SERVICE_TOKEN, loss: 1 }))`;
    const r = runCli(['run', '--', 'node', '-e', line], { cwd, env: { SERVICE_TOKEN: secret } });
    expect(r.code).toBe(0);
    const metrics = readRecord(onlyRun(cwd), 'metrics.jsonl');
    expect(metrics).toContain('"status":"using ***"');
    expect(metrics).toContain('"loss":1');
    expect(metrics).not.toContain(secret);
  });

  it("masks the secrets on the program's console output and in its log, as in every record", () => {
    const cwd = project();
    writeFileSync(join(cwd, 'conf', 'config.yaml'), 'token: ${oc.env:SERVICE_TOKEN}\n');
    const secret = 'planted-token-9f8e7d6c5b';
    const r = runCli(['run', '--', 'sh', '-c', 'echo "arg $1"; echo "env $SERVICE_TOKEN" >&2', 'sh', '${token}'], { cwd, env: { SERVICE_TOKEN: secret } });
    expect(r.code).toBe(0);
    expect(r.stdout + r.stderr).not.toContain(secret);
    expect(r.stdout).toContain('arg ***');
    expect(r.stderr).toContain('env ***');
    const log = readFileSync(join(onlyRun(cwd), 'sh.log'), 'utf8');
    expect(log.split('\n').sort()).toEqual(['', 'arg ***', 'env ***']);
  });
});

describe('trellis run: stopping command jobs leaves no process behind', () => {
  it('Ctrl-C stops a job that ignores it, and its grandchild, after --kill-after; the run is interrupted', async () => {
    const cwd = project();
    const { child, dir } = await startCli(cwd, ['run', '--kill-after', '0.5', '--', './job.sh', '1', 'hang'], (d) => pidIn(d, 'grandchild') !== undefined);
    const pids = [pidIn(dir)!, pidIn(dir, 'grandchild')!];
    expect(pids.every(alive)).toBe(true);
    child.kill('SIGINT');
    expect(await exited(child)).toBe(130);
    expect(readJson<RunJson>(dir, 'run.json')).toMatchObject({ status: 'interrupted', exit_code: 130 });
    expect(jsonIf(join(dir, '.trellis', 'control.json'))).toMatchObject({ action: 'stop', reason: 'SIGINT' });
    await waitFor(() => !pids.some(alive), 'every process of the job to be gone');
  });

  it('Ctrl-C to a sweep of command jobs on the local launcher stops every job; none is left running', async () => {
    const cwd = project();
    const { child, err } = await startCli(cwd, ['run', '-m', 'lr=1,2,3,4', '--jobs', '2', '--', 'python3', 'loop.py'], () => true);
    const dirs = await waitFor(() => {
      const found = runDirs(join(cwd, 'multirun'));
      return found.length === 2 && found.every((d) => pidIn(d)) && found;
    }, 'two jobs running');
    const pids = dirs.map((d) => pidIn(d)!);
    child.kill('SIGINT');
    expect(await exited(child)).toBe(130);
    // Workers end while the sweep closes the pool: that race is no crash.
    expect(err.text()).not.toContain('EPIPE');
    await waitFor(() => !pids.some(alive), 'both jobs to be gone');
    for (const dir of dirs) expect(readJson<RunJson>(dir, 'run.json').status).toBe('interrupted');
    expect(runDirs(join(cwd, 'multirun'))).toHaveLength(2);
    expect(err.text()).toContain('[trellis] sweep interrupted: 0/4 jobs completed');
  });

  it('Ctrl-C at a terminal (the whole process group) keeps the run directory of each interrupted job in the sweep table', async () => {
    const cwd = project();
    // A terminal signals its foreground process group: trellis leads one here, as a shell makes it.
    const child = spawn(process.execPath, [cliPath, 'run', '-m', 'lr=1,2,3', '--jobs', '2', '--', 'python3', 'loop.py'], {
      cwd,
      env: { ...process.env, NO_COLOR: '1' },
      detached: true,
    });
    const err = stderrOf(child);
    child.stdout.resume();
    const dirs = await waitFor(() => {
      const found = runDirs(join(cwd, 'multirun'));
      return found.length === 2 && found.every((d) => pidIn(d)) && found;
    }, 'two jobs running');
    process.kill(-child.pid!, 'SIGINT');
    expect(await exited(child)).toBe(130);
    const sweepDir = dirs[0]!.replace(/\/\d+$/, '');
    const { jobs } = JSON.parse(readFileSync(join(sweepDir, '.trellis', 'sweep.json'), 'utf8')) as {
      jobs: Array<{ num: number; status: string; dir: string | null }>;
    };
    expect(
      jobs
        .filter((j) => j.dir !== null)
        .map((j) => `${j.dir}:${j.status}`)
        .sort(),
    ).toEqual(dirs.map((d) => `${d.slice(sweepDir.length + 1)}:interrupted`).sort());
    expect(err.text()).not.toContain('before reporting');
    await waitFor(() => !dirs.map((d) => pidIn(d)!).some(alive), 'both jobs to be gone');
  });
});

describe('trellis run: sweeps, resume and rerun treat command jobs like any other', () => {
  it('--resume runs again only the jobs that did not complete', () => {
    const cwd = project();
    const first = runCli(['run', '-m', 'exit_code=0,4,0', '--', 'python3', 'job.py'], { cwd });
    expect(first.code).toBe(1);
    expect(runDirs(join(cwd, 'multirun'))).toHaveLength(3);
    // The failing job is fixed in the script, not in the sweep: the same overrides resume.
    writeFileSync(join(cwd, 'job.py'), readFileSync(join(cwd, 'job.py'), 'utf8').replace('sys.exit(cfg["exit_code"])', 'pass'));
    const again = runCli(['run', '-m', 'exit_code=0,4,0', '--resume', '--', 'python3', 'job.py'], { cwd });
    expect(again.stderr).toContain('3/3 jobs completed');
    expect(again.code).toBe(0);
    const runs = runDirs(join(cwd, 'multirun')).map((d) => readJson<RunJson & { sweep: { num: number } }>(d, 'run.json'));
    expect(runs.map((r) => `${r.sweep.num}:${r.status}`).sort()).toEqual(['0:completed', '1:completed', '1:failed', '2:completed']);
  });

  it('trellis sweep resume DIR runs the recorded command again for the jobs that did not complete', () => {
    const cwd = project();
    expect(runCli(['run', '-m', 'exit_code=0,4', '--timeout', '60', '--', 'python3', 'job.py', '--lr', '${lr}'], { cwd }).code).toBe(1);
    const sweepDir = relative(cwd, runDirs(join(cwd, 'multirun'))[0]!.replace(/\/\d+$/, ''));
    writeFileSync(join(cwd, 'job.py'), readFileSync(join(cwd, 'job.py'), 'utf8').replace('sys.exit(cfg["exit_code"])', 'pass'));
    const again = runCli(['sweep', 'resume', sweepDir], { cwd });
    expect(again.stderr).toContain('2/2 jobs completed');
    expect(again.code).toBe(0);
    const resumed = runDirs(join(cwd, 'multirun'))
      .map((d) => readJson<RunJson & { sweep: { num: number } }>(d, 'run.json'))
      .find((r) => r.sweep.num === 1 && r.status === 'completed')!;
    // The same command, its flags kept.
    expect(resumed.command.args).toEqual(['python3', 'job.py', '--lr', '0.1']);
    expect(resumed.command).toMatchObject({ timeout_s: 60 });
  });

  it('rerun --verify runs the recorded command again and finds equal metrics', () => {
    const cwd = project();
    expect(runCli(['run', 'lr=0.25', '--', 'python3', 'job.py', '${lr}'], { cwd }).code).toBe(0);
    const original = onlyRun(cwd);
    const r = runCli(['rerun', original, '--verify'], { cwd });
    expect(r.stdout).toContain('equal');
    expect(r.code).toBe(0);
    const copy = runDirs(join(cwd, 'outputs')).find((d) => d !== original)!;
    expect(readJson<RunJson>(copy, 'run.json').command.args).toEqual(['python3', 'job.py', '0.25']);
    expect(JSON.parse(readFileSync(join(copy, 'seen.json'), 'utf8'))).toMatchObject({ cfg: { lr: 0.25 } });
  });

  it('--pass-overrides sweeps an unchanged app that reads Hydra overrides from its command line', () => {
    const cwd = project();
    const r = runCli(['run', '--pass-overrides', '-m', 'lr=0.1,0.2', 'epochs=5', '--objective', 'lr', '--', 'python3', 'hydra_style_app.py'], { cwd });
    expect(r.code).toBe(0);
    const received = readFileSync(join(cwd, 'received.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, string>);
    expect(received).toEqual([
      { lr: '0.1', epochs: '5' },
      { lr: '0.2', epochs: '5' },
    ]);
    expect(r.stderr).toMatch(/0\s+completed\s+0\.1\s+lr=0\.1 epochs=5/);
  });

  const hydra = spawnSync('python3', ['-c', 'import hydra'], { encoding: 'utf8' });
  it.skipIf(hydra.status !== 0)(
    `--pass-overrides sweeps a real Hydra app${hydra.status !== 0 ? " (skipped: hydra-core is not installed; it is neither a Debian package nor among the machine's wheels)" : ''}`,
    () => {
      const cwd = project();
      const r = runCli(
        [
          'run',
          '--pass-overrides',
          '-m',
          'lr=0.1,0.2',
          'epochs=5',
          '--objective',
          'lr',
          '--',
          'python3',
          'hydra_app.py',
          'hydra.run.dir=${trellis:runtime.output_dir}/hydra',
        ],
        { cwd },
      );
      expect(r.code).toBe(0);
      const runs = runDirs(join(cwd, 'multirun'));
      expect(runs.map((d) => readJson<Summary>(d, 'summary.json').metrics.epochs!.last)).toEqual([5, 5]);
      expect(runs.every((d) => existsSync(join(d, 'hydra', '.hydra', 'overrides.yaml')))).toBe(true);
    },
  );

  it('records the Python environment; runs diff and the rerun drift report name the package that differs', () => {
    const cwd = project();
    const [a, b] = [makeVenv(join(cwd, 'venv-a'), { fakepkg: '1.0', shared: '3.2' }), makeVenv(join(cwd, 'venv-b'), { fakepkg: '2.0', shared: '3.2' })];
    const env = (venv: typeof a) => ({ PATH: venv.env().PATH!, VIRTUAL_ENV: venv.dir });
    expect(runCli(['run', '--', 'python', 'job.py'], { cwd, env: env(a) }).code).toBe(0);
    const first = onlyRun(cwd);
    const program = readJson<{ kind: string; python: { venv: string; distributions: Record<string, string> } }>(first, 'program.json');
    expect(program).toMatchObject({ kind: 'python', python: { venv: a.dir, distributions: { fakepkg: '1.0', shared: '3.2' } } });
    expect(runCli(['run', '--', 'python', 'job.py'], { cwd, env: env(b) }).code).toBe(0);
    const second = runDirs(join(cwd, 'outputs')).find((d) => d !== first)!;
    const diff = runCli(['runs', 'diff', first, second, '--format', 'json'], { cwd });
    const categories = (JSON.parse(diff.stdout) as { categories: Record<string, Array<{ key: string; a?: unknown; b?: unknown }>> }).categories;
    expect(categories.packages).toEqual([{ key: 'python:fakepkg', a: '1.0', b: '2.0' }]);
    expect(categories.runtime!.map((e) => e.key)).toContain('program.venv');
    // The first run's venv changes after the fact: a rerun says what drifted before running anything.
    setDistribution(a, 'fakepkg', '1.1');
    const drift = runCli(['rerun', first, '--dry-run'], { cwd, env: env(a) });
    expect(drift.code).toBe(0);
    expect(drift.stderr).toMatch(/python:fakepkg.*1\.0.*1\.1/);
  });

  it('runs list and runs diff see command runs', () => {
    const cwd = project();
    expect(runCli(['run', '--', 'python3', 'job.py'], { cwd }).code).toBe(0);
    const list = runCli(['runs', 'list', '--format', 'json'], { cwd });
    expect(list.code).toBe(0);
    const rows = JSON.parse(list.stdout) as Array<{ name: string; status: string }>;
    expect(rows).toMatchObject([{ name: 'job', status: 'completed' }]);
    const first = onlyRun(cwd);
    expect(readRecord(first, 'resolved.yaml')).toContain('lr: 0.1');
    // The run directory in the arguments is each run's own: only the changed argument differs.
    expect(runCli(['run', '--', 'python3', 'job.py', '--out', '${trellis:runtime.output_dir}', '--fast'], { cwd }).code).toBe(0);
    const second = runDirs(join(cwd, 'outputs')).find((d) => d !== first)!;
    expect(runCli(['run', '--', 'python3', 'job.py', '--out', '${trellis:runtime.output_dir}', '--slow'], { cwd }).code).toBe(0);
    const third = runDirs(join(cwd, 'outputs')).find((d) => d !== first && d !== second)!;
    const diff = runCli(['runs', 'diff', second, third, '--format', 'json'], { cwd });
    const command = (JSON.parse(diff.stdout) as { categories: { command: Array<{ key: string; a: unknown; b: unknown }> } }).categories.command;
    expect(command).toEqual([
      { key: 'command.args', a: 'python3 job.py --out <run dir> --fast', b: 'python3 job.py --out <run dir> --slow' },
      {
        key: 'command.template',
        a: 'python3 job.py --out ${trellis:runtime.output_dir} --fast',
        b: 'python3 job.py --out ${trellis:runtime.output_dir} --slow',
      },
    ]);
  });
});

const cluster = startCluster();
describe.skipIf(!cluster.ok)(`trellis run on SLURM${cluster.ok ? '' : ` (skipped: ${cluster.reason})`}`, () => {
  it('a sweep of command jobs runs as one SLURM job array, each job recorded with its task', () => {
    const cwd = project();
    const r = runCli(['run', '-m', 'lr=0.1,0.2', '--launcher', 'slurm', '--poll-interval', '0.3', '--objective', 'loss', '--', 'python3', 'job.py'], { cwd });
    expect(r.stderr).toContain('2/2 jobs completed');
    expect(r.code).toBe(0);
    const runs = runDirs(join(cwd, 'multirun')).map((d) => readJson<RunJson & { launcher: { name: string } }>(d, 'run.json'));
    expect(runs.map((run) => [run.status, run.launcher.name, run.command.args])).toEqual([
      ['completed', 'slurm', ['python3', 'job.py']],
      ['completed', 'slurm', ['python3', 'job.py']],
    ]);
    expect(r.stderr).toMatch(/0\s+completed\s+0\.1\s+lr=0\.1/);
  });
});
