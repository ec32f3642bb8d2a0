import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import module from 'node:module';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { join } from 'node:path';
import { readRecord, runDirs } from '../helpers/app-project.js';
import { cliPath, runCli } from '../helpers/run-cli.js';
import { tmpDir } from '../helpers/tmp-dir.js';

const project = {
  'conf/config.yaml': 'defaults:\n  - db: mysql\n  - _self_\n\nname: demo\nlr: 0.1\nratio: 1.0\n',
  'conf/db/mysql.yaml': 'driver: mysql\nport: 3306\n',
  'conf/db/postgres.yaml': 'driver: postgres\nport: 5432\n',
};

describe('trellis compose (real CLI in a temp dir)', () => {
  it('prints the composed config as YAML, floats keeping their point', () => {
    const cwd = tmpDir(project);
    const r = runCli(['compose'], { cwd });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('db:\n  driver: mysql\n  port: 3306\nname: demo\nlr: 0.1\nratio: 1.0\n');
  });

  it('turns on Node’s module compile cache where Node has one (22.1 and newer), in the temp directory', () => {
    const cwd = tmpDir(project);
    const tmp = tmpDir();
    expect(runCli(['compose'], { cwd, env: { TMPDIR: tmp } }).code).toBe(0);
    // Node 20 has no module.enableCompileCache: nothing is written there.
    expect(existsSync(join(tmp, 'node-compile-cache'))).toBe(typeof (module as { enableCompileCache?: unknown }).enableCompileCache === 'function');
  });

  it('applies group and value overrides, and prints JSON', () => {
    const cwd = tmpDir(project);
    const r = runCli(['compose', '--format', 'json', 'db=postgres', 'db.port=6000', '+tag=x'], { cwd });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ db: { driver: 'postgres', port: 6000 }, name: 'demo', lr: 0.1, ratio: 1, tag: 'x' });
  });

  it('--resolve fills ${hydra:…}/${trellis:…} runtime values and ${now:…}', () => {
    const cwd = tmpDir({
      ...project,
      'conf/config.yaml':
        'defaults:\n  - db: mysql\n  - _self_\n\nname: ${hydra:job.name}\ndb_choice: ${trellis:runtime.choices.db}\ndirname: ${hydra:job.override_dirname}\nyear: ${now:%Y}\nnum: ${hydra:job.num}\n',
    });
    const r = runCli(['compose', '--resolve', 'db=postgres', 'db.port=1'], { cwd });
    expect(r.stderr).toBe('');
    expect(parse(r.stdout)).toEqual({
      db: { driver: 'postgres', port: 1 },
      name: 'config',
      db_choice: 'postgres',
      dirname: 'db.port=1,db=postgres',
      year: String(new Date().getFullYear()),
      num: 0,
    });
  });

  it('--package prints one node', () => {
    const cwd = tmpDir(project);
    const r = runCli(['compose', '--package', 'db'], { cwd });
    expect(parse(r.stdout)).toEqual({ driver: 'mysql', port: 3306 });
  });

  it('--package with --resolve selects like OmegaConf.select: lazily, ??? and absent keys as null', () => {
    const cwd = tmpDir({ 'conf/config.yaml': 'a: 1\nb: ${a}\nbroken: ${nope}\nm: ???\nd:\n  x: ${a}\n' });
    const select = (key: string, resolve = true) => runCli(['compose', ...(resolve ? ['--resolve'] : []), '--package', key], { cwd });
    // Expected values from OmegaConf 2.2.2: select(cfg, key), containers through to_container(resolve=True).
    expect(select('b').stdout).toBe('1\n');
    expect(select('d').stdout).toBe('x: 1\n');
    expect(select('m').stdout).toBe('null\n');
    expect(select('nope').stdout).toBe('null\n');
    expect(select('b', false).stdout).toBe('${a}\n');
    expect(runCli(['compose', '--resolve'], { cwd }).code).toBe(1);
  });

  it('takes --config-dir / -cd and --config-name / -cn', () => {
    const cwd = tmpDir({ 'elsewhere/main.yaml': 'x: 1\n' });
    expect(runCli(['compose', '-cd', 'elsewhere', '-cn', 'main'], { cwd }).stdout).toBe('x: 1\n');
    expect(runCli(['compose', '--config-dir', 'elsewhere', '--config-name', 'main'], { cwd }).stdout).toBe('x: 1\n');
  });

  it.each([
    {
      name: 'unknown option of a group',
      args: ['compose', 'db=mysq'],
      stderr: [
        "override #1 'db=mysq'  GROUP_OPTION_NOT_FOUND",
        "In 'config': Could not find 'db/mysq'",
        "hint: did you mean 'mysql'?; available options in 'db': mysql, postgres",
      ],
    },
    {
      name: 'unknown key',
      args: ['compose', 'lrr=0.2'],
      stderr: ["override #1 'lrr=0.2'  OVERRIDE_KEY_MISSING", "hint: did you mean 'lr'?; to append to your config use +lrr=0.2"],
    },
    {
      name: 'syntax error with a caret',
      args: ['compose', 'a=[1,'],
      stderr: ["override #1 'a=[1,':3  OVERRIDE_SYNTAX", "unclosed '['", '     | a=[1,', '     |   ^'],
    },
    {
      name: 'a sweep without --multirun',
      args: ['compose', 'lr=0.1,0.2'],
      stderr: ["Ambiguous value for argument 'lr=0.1,0.2'"],
    },
    {
      name: 'missing primary config',
      args: ['compose', '--config-name', 'nope'],
      stderr: ['CONFIG_NOT_FOUND', "Cannot find primary config 'nope'"],
    },
    {
      name: 'a config directory that is not there (Hydra: Primary config directory not found)',
      args: ['compose', '--config-dir', 'confs'],
      stderr: ['CONFIG_NOT_FOUND', 'Primary config directory not found: confs', 'hint: run from the project'],
    },
  ])('error: $name (exit 1, rendered on stderr, nothing on stdout)', ({ args, stderr }) => {
    const cwd = tmpDir(project);
    const r = runCli(args, { cwd });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    for (const line of stderr) expect(r.stderr).toContain(line);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('reports every bad override of one command line at once', () => {
    const cwd = tmpDir(project);
    const r = runCli(['compose', 'a=[', 'b=(', 'lr=1'], { cwd });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("override #1 'a=['");
    expect(r.stderr).toContain("override #2 'b=('");
    expect(r.stderr).toContain('2 problems');
  });

  it('points a YAML error at file:line:col with an excerpt', () => {
    const cwd = tmpDir({ 'conf/config.yaml': 'a: 1\nb: [1, 2\nc: 3\n' });
    const r = runCli(['compose'], { cwd });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^conf\/config\.yaml:\d+:\d+ {2}YAML_SYNTAX/);
  });

  it('answers --help for the program and the command, and rejects unknown options', () => {
    const cwd = tmpDir(project);
    expect(runCli(['--help'], { cwd }).stdout).toContain('usage: trellis <command>');
    const help = runCli(['compose', '--help'], { cwd });
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--config-dir, -cd, --config-path, -cp DIR');
    const bad = runCli(['compose', '--resolv'], { cwd });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("Unknown option '--resolv'");
    expect(bad.stderr).toContain("did you mean 'resolve'?");
    const unknown = runCli(['compse'], { cwd });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("did you mean 'compose'?");
  });

  it('never colours output when NO_COLOR is set or stderr is not a terminal', () => {
    const cwd = tmpDir(project);
    const r = runCli(['compose', 'db=x'], { cwd, env: { FORCE_COLOR: '1' } });
    expect(r.stderr).not.toMatch(/\u001b\[/);
  });

  it.each([
    {
      name: "a group option given with '.yaml'",
      args: ['+experiment=example.yaml'],
      expected: { db: { driver: 'mysql', port: 3306 }, name: 'demo', lr: 0.5, ratio: 1 },
    },
    { name: "--config-name with '.yaml'", args: ['--config-name', 'train.yaml'], expected: { trained: true } },
    {
      name: "a defaults entry '../base' that stays inside the config directory",
      args: ['+solver=sub/adam'],
      expected: { db: { driver: 'mysql', port: 3306 }, name: 'demo', lr: 0.1, ratio: 1, solver: { base: true, beta: 0.9 }, shared: 1 },
    },
  ])('reads names the way Hydra does: $name', ({ args, expected }) => {
    const cwd = tmpDir({
      ...project,
      'conf/train.yaml': 'trained: true\n',
      'conf/experiment/example.yaml': '# @package _global_\nlr: 0.5\n',
      'conf/solver/base.yaml': 'base: true\n',
      // Its package would be 'solver/..' as a key path (Hydra's rule too): real configs say where they go.
      'conf/common.yaml': '# @package _global_\nshared: 1\n',
      // Relative entries are taken from the group of the config (solver), as in Hydra.
      'conf/solver/sub/adam.yaml': 'defaults:\n  - base\n  - ../common\n  - _self_\nbeta: 0.9\n',
    });
    const r = runCli(['compose', '--format', 'json', ...args], { cwd });
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual(expected);
  });

  it.each([
    { name: 'an option list', sweep: 'db=mysql,postgres', ports: [3306, 5432] },
    { name: 'glob(*)', sweep: 'db=glob(*)', ports: [3306, 5432] },
  ])('sweeps a group whose default is ??? ($name), as Hydra’s basic sweep tutorial does', ({ sweep, ports }) => {
    const cwd = tmpDir({ ...project, 'conf/config.yaml': 'defaults:\n  - db: ???\n  - _self_\n\nname: demo\n' });
    const r = runCli(['compose', '--multirun', '--format', 'json', sweep], { cwd });
    expect(r.stderr).toBe('');
    expect((JSON.parse(r.stdout) as Array<{ config: { db: { port: number } } }>).map((j) => j.config.db.port)).toEqual(ports);
    // A sweep that leaves the group unchosen still fails, naming it.
    const unchosen = runCli(['compose', '--multirun', 'name=a,b'], { cwd });
    expect(unchosen.code).toBe(1);
    expect(unchosen.stderr).toContain("DEFAULTS_MISSING_CHOICE\nYou must specify 'db'");
  });

  it('a delete in a sweep reaches each job as ~key=null, which deletes whatever the value is (as in Hydra)', () => {
    const cwd = tmpDir({ 'conf/config.yaml': 'trainer:\n  precision: 16\n  epochs: 1\nseed: 0\n' });
    const r = runCli(['compose', '--multirun', '--format', 'json', '~trainer.precision', 'seed=1,2'], { cwd });
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual(
      [1, 2].map((seed) => ({ overrides: ['~trainer.precision=null', `seed=${seed}`], config: { trainer: { epochs: 1 }, seed } })),
    );
    // A delete naming another value is still refused.
    const wrong = runCli(['compose', '~trainer.precision=32'], { cwd });
    expect([wrong.code, wrong.stderr]).toEqual([1, expect.stringContaining('OVERRIDE_VALUE_MISMATCH')]);
  });
});

describe('hydra.searchpath (Hydra: the command line replaces the primary config list)', () => {
  const searchProject = {
    'conf/config.yaml': 'defaults:\n  - db: mysql\n  - _self_\nx: 1\n',
    'conf/db/mysql.yaml': 'host: primary\n',
    'extra/db/mysql.yaml': 'host: extra\n',
    'extra/db/sqlite.yaml': 'host: only-in-extra\n',
    'more/db/sqlite.yaml': 'host: more\n',
  };
  const withList = (list: string) => ({ ...searchProject, 'conf/config.yaml': `defaults:\n  - db: mysql\n  - _self_\nhydra:\n  searchpath: ${list}\nx: 1\n` });
  const table: { name: string; files: Record<string, string>; args: string[]; host?: string; error?: RegExp }[] = [
    { name: 'no search path: the config dir alone', files: searchProject, args: [], host: 'primary' },
    { name: 'the config dir comes first, so its options win', files: searchProject, args: ['hydra.searchpath=[file://extra]'], host: 'primary' },
    { name: 'an option only in an added dir is found', files: searchProject, args: ['hydra.searchpath=[file://extra]', 'db=sqlite'], host: 'only-in-extra' },
    {
      name: 'order among added dirs is the list order',
      files: searchProject,
      args: ['hydra.searchpath=[file://more,file://extra]', 'db=sqlite'],
      host: 'more',
    },
    { name: 'the primary config list applies without an override', files: withList('[file://extra]'), args: ['db=sqlite'], host: 'only-in-extra' },
    {
      name: 'the command line replaces the primary list',
      files: withList('[file://extra]'),
      args: ['hydra.searchpath=[file://more]', 'db=sqlite'],
      host: 'more',
    },
    {
      name: 'a pkg:// entry is fine once the command line replaces it',
      files: withList('[pkg://my_pkg.conf]'),
      args: ['hydra.searchpath=[file://extra]', 'db=sqlite'],
      host: 'only-in-extra',
    },
    {
      name: 'a pkg:// entry in effect names itself',
      files: withList('[pkg://my_pkg.conf]'),
      args: [],
      error: /conf\/config\.yaml:5:\d+ +CONFIG_NOT_FOUND\n.*'pkg:\/\/my_pkg\.conf'/,
    },
    {
      name: 'a pkg:// entry from the command line names the override',
      files: searchProject,
      args: ['hydra.searchpath=[pkg://my_pkg.conf]'],
      error: /override #1 'hydra\.searchpath=\[pkg:\/\/my_pkg\.conf\]' +CONFIG_NOT_FOUND/,
    },
    {
      name: 'a value that is not a list of strings',
      files: searchProject,
      args: ['hydra.searchpath=5'],
      error: /OVERRIDE_VALUE_MISMATCH\nhydra\.searchpath must be a list of strings, got '5'/,
    },
  ];
  it.each(['inline', 'local'])('a sweep with the %s launcher: every job composes with the search path the command line gave', (launcher) => {
    const cwd = tmpDir(searchProject);
    const r = runCli(['run', '-m', '--launcher', launcher, 'hydra.searchpath=[file://extra]', 'db=mysql,sqlite', '--', 'true'], { cwd });
    expect(r.stderr).toContain('2/2 jobs completed');
    const hosts = runDirs(join(cwd, 'multirun')).map((dir) => (parse(readRecord(dir, 'resolved.yaml')) as { db: { host: string } }).db.host);
    expect(hosts).toEqual(['primary', 'only-in-extra']);
  });

  // Hydra reads the list with OmegaConf.select on the primary file: its entries resolve there.
  it.each([
    { name: 'a key of the primary config', entry: 'file://${dir}', env: {}, host: 'only-in-extra' },
    { name: 'an environment variable with a default', entry: 'file://${oc.env:TRELLIS_T_CONF,more}', env: {}, host: 'more' },
    { name: 'an environment variable that is set', entry: 'file://${oc.env:TRELLIS_T_CONF,more}', env: { TRELLIS_T_CONF: 'extra' }, host: 'only-in-extra' },
  ])('an interpolation in the primary list resolves: $name', ({ entry, env, host }) => {
    const cwd = tmpDir({ ...searchProject, 'conf/config.yaml': `defaults:\n  - db: mysql\n  - _self_\nhydra:\n  searchpath:\n    - ${entry}\ndir: extra\n` });
    const r = runCli(['compose', '--format', 'json', 'db=sqlite'], { cwd, env: { ...process.env, ...env } });
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toMatchObject({ db: { host } });
  });

  it.each(table)('$name', ({ files, args, host, error }) => {
    const cwd = tmpDir(files);
    const r = runCli(['compose', '--format', 'json', ...args], { cwd });
    if (error) {
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(error);
      return;
    }
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ db: { host }, x: 1 });
  });
});

describe('deprecated forms warn once, as Hydra 1.1+ does, and keep working', () => {
  const files = {
    'conf/config.yaml': 'defaults:\n  - db: mysql\n  - _self_\nold_port: ${oc.deprecated:db.port}\n',
    'conf/db/mysql.yaml': '# @package _group_\nport: 3306\n',
    'conf/db/postgres.yaml': '# @package _group_\nport: 5432\n',
  };
  const groupWarning = "'db/mysql' has '# @package _group_': _group_ and _name_ in a package header are deprecated since Hydra 1.1.";

  it('compose: `# @package _group_` keeps the group path (Hydra 1.0), with one warning', () => {
    const cwd = tmpDir(files);
    const r = runCli(['compose', '--format', 'json'], { cwd });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ db: { port: 3306 }, old_port: '${oc.deprecated:db.port}' });
    expect(r.stderr.split('\n').filter(Boolean)).toEqual([expect.stringContaining(groupWarning)]);
  });

  it('a sweep prints each warning once, oc.deprecated included, and every job runs', () => {
    const cwd = tmpDir(files);
    const r = runCli(['run', '-m', 'db=mysql,postgres', 'db.port=1,2', '--', 'true'], { cwd });
    expect(r.code).toBe(0);
    const warnings = r.stderr.split('\n').filter((line) => line.includes('warning:'));
    expect(warnings).toEqual([
      expect.stringContaining(groupWarning),
      "[trellis] warning: 'old_port' is deprecated. Change your code and config to use 'db.port'",
      expect.stringContaining("'db/postgres' has '# @package _group_'"),
    ]);
    expect(r.stderr).toContain('4/4 jobs completed');
  });
});

describe('compose --multirun streams its jobs', () => {
  it('a million-job grid: the first job is printed while the rest are still composed, and a reader that stops early ends it quietly', async () => {
    const cwd = tmpDir({ 'conf/config.yaml': 'seed: 0\nx: 1\n' });
    const child = spawn(process.execPath, [cliPath, 'compose', '--multirun', 'seed=range(0,1000000)', '--format', 'json'], {
      cwd,
      env: { ...process.env, NO_COLOR: '1' },
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (t: string) => (stderr += t));
    let stdout = '';
    // Wait for the first job's whole item, as `head` would, then stop reading.
    await new Promise<void>((resolve) => {
      child.stdout.setEncoding('utf8').on('data', (t: string) => {
        stdout += t;
        if (stdout.includes('"x": 1\n')) resolve();
      });
    });
    expect(child.exitCode).toBeNull();
    expect(stdout.startsWith('[\n  {\n    "overrides": [\n      "seed=0"\n    ],\n    "config": {\n      "seed": 0,')).toBe(true);
    child.stdout.destroy();
    const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
    expect(stderr).toBe('');
    expect(code).toBe(0);
  });

  it('the text is that of the whole list printed at once, in YAML and in JSON', () => {
    const cwd = tmpDir({ 'conf/config.yaml': 'a: 1\nb: x\n' });
    const yaml = runCli(['compose', '--multirun', 'a=1,2', 'b=y'], { cwd });
    expect(yaml.stdout).toBe('- overrides:\n  - a=1\n  - b=y\n  config:\n    a: 1\n    b: y\n- overrides:\n  - a=2\n  - b=y\n  config:\n    a: 2\n    b: y\n');
    const json = runCli(['compose', '--multirun', '--format', 'json', 'a=1,2', 'b=y'], { cwd });
    const jobs = [
      { overrides: ['a=1', 'b=y'], config: { a: 1, b: 'y' } },
      { overrides: ['a=2', 'b=y'], config: { a: 2, b: 'y' } },
    ];
    expect(json.stdout).toBe(`${JSON.stringify(jobs, null, 2)}\n`);
    // No job at all: an empty list, in both.
    expect(runCli(['compose', '--multirun', 'a=range(0,0)'], { cwd }).stdout).toBe('[]\n');
    expect(runCli(['compose', '--multirun', '--format', 'json', 'a=range(0,0)'], { cwd }).stdout).toBe('[]\n');
  });
});
