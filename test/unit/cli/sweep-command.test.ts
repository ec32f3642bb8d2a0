import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runMain } from '../../helpers/main-io.js';
import { tmpDir } from '../../helpers/tmp-dir.js';

const job = (num: number, status: string, objective: number | null, extra: Record<string, unknown> = {}) => ({
  num,
  overrides: [`optimizer.lr=${[0.1, 0.01, 0.001][num]}`],
  status,
  dir: status === 'pending' ? null : String(num),
  objective,
  error: status === 'failed' ? 'loss is NaN' : null,
  ...extra,
});

function sweep(root: string, rel: string, record: Record<string, unknown>): void {
  mkdirSync(join(root, rel, '.trellis'), { recursive: true });
  const base = { format_version: 2, strategy: 'grid', search_space: {}, seed: null, fingerprint: 'f', config_dir: 'conf', config_name: 'config' };
  writeFileSync(join(root, rel, '.trellis/sweep.json'), JSON.stringify({ ...base, cwd: root, overrides: [], launcher: 'inline', entry: 'app.mjs', ...record }));
}

/** Two sweeps: a grid judged by val_loss (min), and a random one by a returned number (max) with a sweeper's own row field. */
function twoSweeps(): string {
  const root = tmpDir();
  sweep(root, 'multirun/2026-11-23/10-20-00', {
    objective: { name: 'val_loss', mode: 'min' },
    created: '2026-11-23T10:20:00.000Z',
    jobs: [job(0, 'completed', 0.5), job(1, 'completed', 0.25), job(2, 'failed', null)],
  });
  sweep(root, 'multirun/2026-11-24/09-00-00', {
    strategy: 'random',
    objective: { name: null, mode: 'max' },
    created: '2026-11-24T09:00:00.000Z',
    jobs: [job(0, 'completed', 0.9, { trial_state: 'complete' }), job(1, 'interrupted', null, { trial_state: 'pruned' })],
  });
  return root;
}

describe('trellis sweep list', () => {
  it('lists every sweep, oldest first, with its best objective and job statuses', async () => {
    const r = await runMain(['sweep', 'list'], twoSweeps());
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.split('\n')).toEqual([
      'dir                           created                   strategy  launcher  jobs  best           statuses',
      '----------------------------  ------------------------  --------  --------  ----  -------------  --------------------------',
      'multirun/2026-11-23/10-20-00  2026-11-23T10:20:00.000Z  grid      inline    3     0.25 val_loss  2 completed, 1 failed',
      'multirun/2026-11-24/09-00-00  2026-11-24T09:00:00.000Z  random    inline    2     0.9            1 completed, 1 interrupted',
      '',
    ]);
  });

  it('--format json', async () => {
    const r = await runMain(['sweep', 'list', '--format', 'json'], twoSweeps());
    expect(JSON.parse(r.stdout)).toMatchObject([
      { dir: 'multirun/2026-11-23/10-20-00', jobs: 3, best: 0.25, statuses: { completed: 2, failed: 1 }, objective: { name: 'val_loss', mode: 'min' } },
      { dir: 'multirun/2026-11-24/09-00-00', jobs: 2, best: 0.9, statuses: { completed: 1, interrupted: 1 } },
    ]);
  });

  it('says so when there is no sweep', async () => {
    const r = await runMain(['sweep', 'list'], tmpDir());
    expect(r).toMatchObject({ code: 0, stdout: '', stderr: 'no sweeps: nothing under multirun/ holds .trellis/sweep.json\n' });
  });
});

describe('trellis sweep show', () => {
  it('prints the job table sorted by the objective, named after it', async () => {
    const r = await runMain(['sweep', 'show', 'multirun/2026-11-23/10-20-00'], twoSweeps());
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.split('\n').slice(4)).toEqual([
      'jobs      3: 2 completed, 1 failed',
      '',
      '#  status     val_loss  overrides           dir',
      '-  ---------  --------  ------------------  ---',
      '1  completed      0.25  optimizer.lr=0.01   1',
      '0  completed       0.5  optimizer.lr=0.1    0',
      '2  failed            -  optimizer.lr=0.001  2',
      '',
    ]);
  });

  it('shows fields a sweeper adds to its rows as columns of their own', async () => {
    const r = await runMain(['sweep', 'show', 'multirun/2026-11-24/09-00-00'], twoSweeps());
    expect(r.stdout.split('\n').slice(6, 10)).toEqual([
      '#  status       objective  trial_state  overrides          dir',
      '-  -----------  ---------  -----------  -----------------  ---',
      '0  completed          0.9  complete     optimizer.lr=0.1   0',
      '1  interrupted          -  pruned       optimizer.lr=0.01  1',
    ]);
  });

  it('--format json gives the record with a summary', async () => {
    const r = await runMain(['sweep', 'show', 'multirun/2026-11-23/10-20-00', '--format', 'json'], twoSweeps());
    const shown = JSON.parse(r.stdout) as { dir: string; jobs: unknown[]; summary: unknown };
    expect(shown.dir).toBe('multirun/2026-11-23/10-20-00');
    expect(shown.jobs).toHaveLength(3);
    expect(shown.summary).toEqual({ jobs: 3, statuses: { completed: 2, failed: 1 }, best: 0.25 });
  });

  it.each([
    { name: 'not a sweep', args: ['sweep', 'show', 'multirun'], code: 1, stderr: 'SWEEP_INVALID\nmultirun is not a sweep directory' },
    { name: 'a misspelt action', args: ['sweep', 'shwo'], code: 2, stderr: "USAGE\nUnknown action 'sweep shwo'\nhint: did you mean 'show'?" },
    { name: 'a format list does not have', args: ['sweep', 'list', '--format', 'text'], code: 2, stderr: 'USAGE\n--format text is not available here' },
  ])('refuses $name', async ({ args, code, stderr }) => {
    const r = await runMain(args, twoSweeps());
    expect(r.stderr.startsWith(stderr), r.stderr).toBe(true);
    expect(r.code).toBe(code);
  });
});
