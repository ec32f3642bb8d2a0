import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createRunHandle } from '../../../src/job/run-handle.js';
import { SeedBook } from '../../../src/run/seeds.js';
import { tmpDir } from '../../helpers/tmp-dir.js';

/** A run handle over a fresh run directory (with its records folder) and a directory outside it. */
function handle() {
  const root = tmpDir();
  const dir = join(root, 'run');
  const outside = join(root, 'outside');
  mkdirSync(join(dir, '.trellis'), { recursive: true });
  mkdirSync(outside);
  writeFileSync(join(dir, '.trellis', 'config.yaml'), 'a: 1\n');
  const { run, state } = createRunHandle({
    dir,
    id: 'r',
    jobName: 'job',
    seeds: new SeedBook(1),
    metricsPath: join(dir, '.trellis', 'metrics.jsonl'),
    logPath: join(dir, 'job.log'),
    cwd: root,
    print: () => undefined,
    redact: (t) => t,
  });
  return { run, state, dir, outside };
}

describe('run.saveArtifact keeps artifacts inside the run directory and out of its records', () => {
  it.each([
    { name: 'a record', artifact: '.trellis/config.yaml', message: /inside \.trellis\// },
    { name: 'a new file among the records', artifact: '.trellis/extra.txt', message: /inside \.trellis\// },
    { name: 'a path that climbs out', artifact: '../escape.txt', message: /would leave the run directory/ },
    { name: 'an absolute path', artifact: '/tmp/escape.txt', message: /would leave the run directory/ },
  ])('refuses $name ($artifact)', async ({ artifact, message }) => {
    const { run, state, dir } = handle();
    await expect(run.saveArtifact(artifact, 'x')).rejects.toThrow(message);
    expect(readFileSync(join(dir, '.trellis', 'config.yaml'), 'utf8')).toBe('a: 1\n');
    expect(state.artifacts).toEqual([]);
  });

  it('refuses a folder that is a symbolic link out of the run directory', async () => {
    const { run, dir, outside } = handle();
    symlinkSync(outside, join(dir, 'plots'));
    await expect(run.saveArtifact('plots/loss.png', 'x')).rejects.toThrow(/symbolic link/);
    expect(existsSync(join(outside, 'loss.png'))).toBe(false);
  });

  it('refuses a name that is itself a symbolic link, even one pointing at the records', async () => {
    const { run, dir } = handle();
    symlinkSync(join(dir, '.trellis', 'config.yaml'), join(dir, 'innocent.txt'));
    await expect(run.saveArtifact('innocent.txt', 'x')).rejects.toThrow(/symbolic link/);
    expect(readFileSync(join(dir, '.trellis', 'config.yaml'), 'utf8')).toBe('a: 1\n');
  });

  it('saves an ordinary artifact in a new folder and records it', async () => {
    const { run, state, dir } = handle();
    await run.saveArtifact('plots/loss.txt', 'hello');
    expect(readFileSync(join(dir, 'plots', 'loss.txt'), 'utf8')).toBe('hello');
    expect(state.artifacts).toMatchObject([{ name: 'plots/loss.txt', size: 5 }]);
  });
});
