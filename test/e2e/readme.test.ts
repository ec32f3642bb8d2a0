/**
 * The README is the user's manual: its commands, code and error examples must work as written.
 */
import { transformSync } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { cliPath, repoRoot, runCli } from '../helpers/run-cli.js';
import { tmpDir } from '../helpers/tmp-dir.js';

const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
/** Fenced code blocks with the given info string ('' for plain fences), in order. */
function blocks(lang: string): string[] {
  const out: string[] = [];
  let current: string[] | undefined;
  let currentLang = '';
  for (const line of readme.split('\n')) {
    if (line.startsWith('```')) {
      if (current === undefined) {
        current = [];
        currentLang = line.slice(3).trim();
      } else {
        if (currentLang === lang) out.push(current.map((l) => `${l}\n`).join(''));
        current = undefined;
      }
    } else current?.push(line);
  }
  return out;
}
const trellisUrl = pathToFileURL(join(repoRoot, 'dist', 'bundle', 'index.js')).href;

function demoProject(): string {
  const dir = tmpDir();
  cpSync(join(repoRoot, 'conf'), join(dir, 'conf'), { recursive: true });
  cpSync(join(repoRoot, 'examples', 'train.py'), join(dir, 'examples', 'train.py'));
  return dir;
}

/** Splits a shell line into words (single quotes only, as the README uses them). */
function words(line: string): string[] {
  return [...line.matchAll(/'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2]!);
}

describe('README', () => {
  it('opens with the two commands: npm ci && npm start, then npm ci && npm test', () => {
    const quick = readme.slice(readme.indexOf('## Quick start'), readme.indexOf('## Concepts'));
    const commands = blocks('sh')
      .filter((b) => quick.includes(b))
      .map((b) => b.trim());
    expect(commands.slice(0, 2)).toEqual(['npm ci && npm start', 'npm ci && npm test']);
    const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(pkg.scripts.start).toBe('node dist/examples/train.js');
    expect(readFileSync(join(repoRoot, '.ci', 'run'), 'utf8')).toContain('npm ci\nnpm test\n');
  });

  const quickExamples = blocks('sh')
    .flatMap((b) => b.split('\n'))
    .map((l) => l.replace(/\s+#.*$/, '').trim())
    .filter((l) => l.startsWith('npm start -- ') || l.startsWith('npx trellis '));
  it.each(quickExamples)(
    'runs `%s`',
    (line) => {
      const cwd = demoProject();
      const args = line.startsWith('npm start -- ') ? words(line.slice('npm start -- '.length)) : words(line.slice('npx trellis '.length));
      const script = line.startsWith('npm start') ? join(repoRoot, 'dist', 'examples', 'train.js') : cliPath;
      const r = spawnSync(process.execPath, [script, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' }, timeout: 120_000 });
      expect(r.stderr).not.toMatch(/INTERNAL|Error:/);
      expect(r.status).toBe(0);
    },
    120_000,
  );

  // The run-store block names runs by placeholders (an id prefix, a run directory, a sweep job):
  // they become real runs of the demo, and every command must then work as written.
  it('the run-store commands work on real runs, the placeholders replaced', () => {
    // The demo's script inside the project, as in a clone (rerun runs only a project's own scripts),
    // with trellis and its dependencies installed as packages.
    const cwd = demoProject();
    cpSync(join(repoRoot, 'dist', 'examples'), join(cwd, 'dist', 'examples'), { recursive: true });
    mkdirSync(join(cwd, 'node_modules'));
    for (const name of readdirSync(join(repoRoot, 'node_modules'))) symlinkSync(join(repoRoot, 'node_modules', name), join(cwd, 'node_modules', name));
    symlinkSync(repoRoot, join(cwd, 'node_modules', 'trellis'));
    const demo = (args: string[]) => spawnSync(process.execPath, [join('dist', 'examples', 'train.js'), ...args], { cwd, encoding: 'utf8' });
    expect(demo(['trainer.epochs=3']).status).toBe(0);
    expect(demo(['-m', 'optimizer=adam,sgd', 'trainer.epochs=2']).status).toBe(0);
    const listed = JSON.parse(runCli(['runs', 'list', '--format', 'json', '--sort', 'dir'], { cwd }).stdout) as Array<{ id: string; dir: string }>;
    const single = listed.find((r) => r.dir.startsWith('outputs/'))!;
    const job = listed.find((r) => r.dir.startsWith('multirun/') && r.dir.endsWith('/0'))!;
    const lines = blocks('console')
      .flatMap((b) => b.split('\n'))
      .filter((l) => l.startsWith('npx trellis runs ') || l.startsWith('npx trellis explain ') || l.startsWith('npx trellis rerun '));
    expect(lines.length).toBeGreaterThanOrEqual(8);
    for (const line of lines) {
      const command = line
        .replace(/\s+#.*$/, '')
        .replaceAll('20261123-1042', single.id)
        .replaceAll('outputs/2026-11-23/10-42-13', single.dir)
        .replaceAll('multirun/2026-11-23/10-42-14/0', job.dir);
      for (const part of command.split(' && ')) {
        const r = runCli(words(part.trim().slice('npx trellis '.length)), { cwd, env: { NO_COLOR: '1' } });
        expect(r.stderr, part).not.toMatch(/INTERNAL|Error:/);
        expect(r.code, `${part}\n${r.stderr}`).toBe(0);
      }
    }
  }, 120_000);

  // The SLURM example needs a cluster with a gpu partition: here it is checked to be the demo
  // app with flags it accepts (parsed before --help answers; an unknown one is refused).
  const slurmLine = blocks('')
    .flatMap((b) => b.split('\n'))
    .find((l) => l.includes('--launcher slurm'));
  it('the SLURM example is the demo app with flags it accepts', () => {
    expect(slurmLine).toMatch(/^npm start -- -m /);
    const args = words(slurmLine!.slice('npm start -- '.length));
    const r = spawnSync(process.execPath, [join(repoRoot, 'dist', 'examples', 'train.js'), ...args, '--help'], {
      cwd: demoProject(),
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1' },
    });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it.each([
    { fixture: 'readme-db', args: ['compose', 'db=mysq'], start: "override #1 'db=mysq'" },
    { fixture: 'readme-missing-choice', args: ['compose'], start: 'conf/config.yaml:3:9' },
  ])('shows the error of `trellis $args` exactly as the CLI prints it', ({ fixture, args, start }) => {
    const cwd = tmpDir();
    cpSync(join(repoRoot, 'test', 'fixtures', 'conf', fixture), join(cwd, 'conf'), { recursive: true });
    const r = runCli(args, { cwd });
    expect(r.code).toBe(1);
    const shown = blocks('').find((b) => b.startsWith(start));
    expect(shown).toBeDefined();
    expect(r.stderr).toBe(shown);
  });

  it('shows the complete Python job exactly as examples/train.py has it', () => {
    expect(blocks('python')).toEqual([readFileSync(join(repoRoot, 'examples', 'train.py'), 'utf8')]);
  });

  it('the library API example runs and prints the choices it claims', () => {
    const cwd = demoProject();
    const code = blocks('ts')
      .find((b) => b.includes('composeFromDir'))!
      .replace("from 'trellis'", `from ${JSON.stringify(trellisUrl)}`);
    writeFileSync(join(cwd, 'example.mjs'), code);
    const r = spawnSync(process.execPath, ['example.mjs'], { cwd, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    const claimed = /\/\/ (\{.*\})/.exec(code)![1]!;
    expect(r.stdout.replace(/\s+/g, ' ').trim()).toBe(claimed);
  });

  it('the defineApp example runs and records a run', () => {
    const cwd = tmpDir({ 'conf/config.yaml': 'seed: 1\noptimizer:\n  name: adam\n  lr: 0.1\n' });
    const code = blocks('ts')
      .find((b) => b.includes('defineApp('))!
      .replace("from 'trellis'", `from ${JSON.stringify(trellisUrl)}`)
      .replace("from 'zod'", `from ${JSON.stringify(pathToFileURL(join(repoRoot, 'node_modules', 'zod', 'index.js')).href)}`);
    writeFileSync(join(cwd, 'app.mjs'), code);
    const r = spawnSync(process.execPath, ['app.mjs', 'optimizer.lr=0.5'], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    expect(r.status).toBe(0);
    expect(r.stderr).toContain('[train][INFO] - done');
    expect(r.stderr).toContain('[trellis] run completed: outputs/');
  });
  it('the instantiate example builds what it claims, and shows its error as a failed run prints it', () => {
    const cwd = tmpDir({ 'package.json': '{ "type": "module" }\n' });
    const config = blocks('yaml').find((b) => b.includes('_target_: ./dist/models.js:MLP'))!;
    mkdirSync(join(cwd, 'conf'));
    mkdirSync(join(cwd, 'dist'));
    writeFileSync(join(cwd, 'conf', 'config.yaml'), config);
    writeFileSync(
      join(cwd, 'dist', 'models.js'),
      blocks('js').find((b) => b.includes('export class MLP'))!,
    );
    const source = blocks('ts')
      .find((b) => b.includes('instantiate<MLP>(cfg.model'))!
      .replace("from 'trellis'", `from ${JSON.stringify(trellisUrl)}`)
      .replace("from 'zod'", `from ${JSON.stringify(pathToFileURL(join(repoRoot, 'node_modules', 'zod', 'index.js')).href)}`);
    // The block is TypeScript (instantiate<MLP>, import type): compiled as a user's build would.
    const code = transformSync(source, { loader: 'ts', format: 'esm', target: 'node20' }).code;
    writeFileSync(join(cwd, 'app.mjs'), code);
    const run = () => spawnSync(process.execPath, ['app.mjs'], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    const ok = run();
    expect(ok.status, ok.stderr).toBe(0);
    expect(ok.stderr).toContain(/\/\/ (\[train\]\[INFO\] - built .*)$/m.exec(source)![1]!);

    writeFileSync(join(cwd, 'conf', 'config.yaml'), config.replace('models.js:relu', 'models.js:rleu'));
    const failed = run();
    expect(failed.status).toBe(1);
    const shown = blocks('').find((b) => b.includes('INSTANTIATE_TARGET'))!;
    expect(failed.stderr).toContain(`: ${shown}`);
  });
});
