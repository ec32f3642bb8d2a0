/**
 * `trellis init` makes a project that works at once: trellis is packed from this checkout
 * (`npm pack` of the built repo), installed into the new project with its other dependencies
 * from the npm registry (the local npm cache first), and `npm start`, `npm test` and
 * `npm run sweep` run in it.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runDirs } from '../helpers/app-project.js';
import { repoRoot, runCli } from '../helpers/run-cli.js';
import { tmpDir } from '../helpers/tmp-dir.js';

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const TEMPLATE_FILES = [
  '.gitignore',
  'conf/config.yaml',
  'conf/model/linear.yaml',
  'conf/model/quadratic.yaml',
  'conf/optimizer/momentum.yaml',
  'conf/optimizer/sgd.yaml',
  'package.json',
  'src/app.test.ts',
  'src/app.ts',
  'src/models.ts',
  'tsconfig.json',
];

function runNpm(args: string[], cwd: string) {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith('TRELLIS_')) env[k] = v;
  const r = spawnSync(npm, args, { cwd, encoding: 'utf8', env: { ...env, NO_COLOR: '1' }, timeout: 300_000 });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

describe('trellis init', () => {
  it('writes the project files and lists them (--format json)', () => {
    const cwd = tmpDir();
    const r = runCli(['init', 'my-exp', '--format', 'json'], { cwd });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const result = JSON.parse(r.stdout) as { name: string; files: string[]; trellis: string };
    expect(result.name).toBe('my-exp');
    expect(result.files).toEqual(TEMPLATE_FILES);
    for (const f of TEMPLATE_FILES) expect(existsSync(join(cwd, 'my-exp', f)), f).toBe(true);
    const pkg = JSON.parse(readFileSync(join(cwd, 'my-exp', 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(Object.keys(pkg.scripts)).toEqual(expect.arrayContaining(['start', 'sweep', 'test']));
  });

  it.each([
    { name: 'an earlier init', existing: {} as Record<string, string>, initFirst: true, named: 'conf/config.yaml' },
    { name: 'one file of the same name', existing: { 'proj/src/app.ts': 'mine\n' }, initFirst: false, named: 'src/app.ts' },
  ])('refuses to overwrite $name and writes nothing', ({ existing, initFirst, named }) => {
    const cwd = tmpDir(existing);
    if (initFirst) expect(runCli(['init', 'proj'], { cwd }).code).toBe(0);
    const before = readdirSync(join(cwd, 'proj'), { recursive: true }).sort();
    const r = runCli(['init', 'proj'], { cwd });
    expect(r.code).toBe(2); // a usage error, as for any bad command line
    expect(r.stderr).toContain('USAGE');
    expect(r.stderr).toContain(named);
    expect(r.stderr).toMatch(/hint: init never overwrites/);
    expect(readdirSync(join(cwd, 'proj'), { recursive: true }).sort()).toEqual(before);
    if (!initFirst) expect(readFileSync(join(cwd, 'proj', 'src', 'app.ts'), 'utf8')).toBe('mine\n');
  });

  it.each([
    { name: 'a file in place of the directory', files: { proj: 'x\n' }, code: 2, text: 'proj is a file, not a directory' },
    { name: 'a file in place of a subdirectory it needs', files: { 'proj/conf': 'x\n' }, code: 2, text: 'proj already has conf; nothing was written' },
  ])('reports $name clearly', ({ files, code, text }) => {
    const r = runCli(['init', 'proj'], { cwd: tmpDir(files) });
    expect(r.stderr).toContain(text);
    expect(r.stderr).not.toContain('INTERNAL');
    expect(r.code).toBe(code);
  });

  it('answers --help', () => {
    const r = runCli(['init', '--help'], { cwd: tmpDir() });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('trellis init [DIR]');
  });

  it('makes a project where npm start, npm test and npm run sweep work at once', () => {
    const packDir = tmpDir();
    const packed = runNpm(['pack', '--ignore-scripts', '--pack-destination', packDir], repoRoot);
    expect(packed.code, packed.out).toBe(0);
    const tarball = readdirSync(packDir).find((f) => f.endsWith('.tgz'))!;
    const cwd = tmpDir();
    const init = runCli(['init', 'proj', '--from', join(packDir, tarball)], { cwd });
    expect(init.code, init.stderr).toBe(0);
    const proj = join(cwd, 'proj');
    const installed = runNpm(['install', '--prefer-offline', '--no-audit', '--no-fund'], proj);
    expect(installed.code, installed.out).toBe(0);

    const start = runNpm(['start'], proj);
    expect(start.code, start.out).toBe(0);
    expect(start.out).toMatch(/\[fit\]\[INFO\] - coefficients: /);
    expect(start.out).toContain('[trellis] run completed: outputs/');
    const [run] = runDirs(join(proj, 'outputs'));
    expect(JSON.parse(readFileSync(join(run!, '.trellis', 'run.json'), 'utf8'))).toMatchObject({ status: 'completed' });

    const test = runNpm(['test'], proj);
    expect(test.code, test.out).toBe(0);
    // node --test reports in TAP on Node 20 (`# pass 2`) and with its spec reporter on Node 24 (`ℹ pass 2`).
    expect(test.out).toMatch(/^(# |ℹ )pass 2$/m);
    expect(test.out).toMatch(/^(# |ℹ )fail 0$/m);

    const sweep = runNpm(['run', 'sweep'], proj);
    expect(sweep.code, sweep.out).toBe(0);
    expect(sweep.out).toContain('4/4 jobs completed');

    // A typo in a _target_ is reported with its file:line after the run.
    writeFileSync(join(proj, 'conf', 'model', 'linear.yaml'), '_target_: ./dist/models.js:Polynomail\ndegree: 1\n');
    const broken = runNpm(['start'], proj);
    expect(broken.code).not.toBe(0);
    expect(broken.out).toContain("conf/model/linear.yaml:1:11  INSTANTIATE_TARGET\nmodel: Export not found: the module has no 'Polynomail'");
    expect(broken.out).toContain("hint: did you mean 'Polynomial'?");
  }, 900_000);
});

describe("the README's advice for running a .ts app without compiling it", () => {
  // Node ≥ 22.6 strips types itself; older Node (20 here) needs a loader, and the README names tsx.
  const [major, minor] = process.versions.node.split('.').map(Number) as [number, number];
  const stripsTypes = major > 22 || (major === 22 && minor >= 6);
  const nodeFlags = stripsTypes ? ['--experimental-strip-types'] : ['--import', 'tsx'];

  it(`${stripsTypes ? 'node --experimental-strip-types' : 'node --import tsx'} src/app.ts runs the generated app, its job thread and its .ts _target_ (Node ${process.versions.node})`, () => {
    const cwd = tmpDir();
    expect(runCli(['init', 'proj'], { cwd }).code).toBe(0);
    const proj = join(cwd, 'proj');
    // Installed as packages, as npm install would: trellis (this checkout), zod, tsx.
    mkdirSync(join(proj, 'node_modules'));
    for (const name of ['zod', 'tsx', 'esbuild', '@esbuild', 'get-tsconfig', 'resolve-pkg-maps']) {
      if (existsSync(join(repoRoot, 'node_modules', name))) symlinkSync(join(repoRoot, 'node_modules', name), join(proj, 'node_modules', name));
    }
    symlinkSync(repoRoot, join(proj, 'node_modules', 'trellis'));
    // What the README says to change: relative imports by their .ts name, _target_ at the source.
    const app = join(proj, 'src', 'app.ts');
    writeFileSync(app, readFileSync(app, 'utf8').replace("from './models.js'", "from './models.ts'"));
    for (const option of ['linear', 'quadratic']) {
      const file = join(proj, 'conf', 'model', `${option}.yaml`);
      writeFileSync(file, readFileSync(file, 'utf8').replace('./dist/models.js:Polynomial', './src/models.ts:Polynomial'));
    }
    const r = spawnSync(process.execPath, [...nodeFlags, 'src/app.ts', 'model=quadratic', 'epochs=20'], {
      cwd: proj,
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1', NODE_NO_WARNINGS: '1' },
    });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain('[fit][INFO] - coefficients: ');
    // The job ran on its job thread, which loaded the .ts module with the same flags.
    expect(r.stderr).not.toContain('runs on the main thread');
    const [dir] = runDirs(join(proj, 'outputs'));
    expect(JSON.parse(readFileSync(join(dir!, '.trellis', 'summary.json'), 'utf8'))).toMatchObject({ result: { loss: expect.any(Number) } });
  }, 60_000);
});
