import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runMain } from '../../helpers/main-io.js';
import { tmpDir } from '../../helpers/tmp-dir.js';
import { writeRun } from './synthetic-runs.js';

// Numbers with more than 6 significant digits, which a rounded cell would change.
const LR = 0.0012345678;
const LOSS = { last: 0.123456789, min: 1e-7 + 1e-15, max: 123456.789 };

function oneRun(): string {
  const root = tmpDir();
  writeRun(join(root, 'outputs/a'), { id: 'run-a', resolved: { optimizer: { name: 'adam', lr: LR } }, metrics: { val_loss: LOSS } });
  return root;
}

describe('--format csv prints numbers exactly, as JSON does', () => {
  it.each([
    { name: 'list with --columns', args: ['runs', 'list', '--format', 'csv', '--columns', 'id,optimizer.lr,val_loss.min,val_loss.max'] },
    { name: 'list with query fields', args: ['runs', 'list', '--format', 'csv', 'optimizer.lr > 0 and val_loss.min < 1 and val_loss.max > 0'] },
  ])('$name', async ({ args }) => {
    const r = await runMain(args, oneRun());
    expect(r.code, r.stderr).toBe(0);
    const [head, row] = r.stdout.split('\r\n');
    const cells = Object.fromEntries(head!.split(',').map((h, i) => [h, row!.split(',')[i]]));
    expect(cells).toMatchObject({ 'optimizer.lr': '0.0012345678', 'val_loss.min': '1.00000001e-7', 'val_loss.max': '123456.789' });
  });

  it('runs best --format csv', async () => {
    const r = await runMain(['runs', 'best', '--metric', 'val_loss', '--format', 'csv'], oneRun());
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.split('\r\n')[1]).toMatch(/^run-a,1\.00000001e-7,completed,/);
  });

  it('the default columns give the start as recorded (UTC) and the duration in seconds, exactly', async () => {
    const root = tmpDir();
    writeRun(join(root, 'outputs/a'), { id: 'run-a', start: '2026-11-20T09:00:00.123Z', end: '2026-11-20T09:01:05.456Z', duration_s: 65.333 });
    const r = await runMain(['runs', 'list', '--format', 'csv'], root);
    expect(r.code, r.stderr).toBe(0);
    const [head, row] = r.stdout.split('\r\n');
    const cells = Object.fromEntries(head!.split(',').map((h, i) => [h, row!.split(',')[i]]));
    expect(cells).toMatchObject({ id: 'run-a', started: '2026-11-20T09:00:00.123Z', duration_s: '65.333' });
    // The table keeps the short forms for reading.
    const table = await runMain(['runs', 'list'], root);
    expect(table.stdout).toContain('1m05s');
  });

  it('the table still rounds for reading', async () => {
    const r = await runMain(['runs', 'list', '--columns', 'optimizer.lr,val_loss.max'], oneRun());
    expect(r.stdout.split('\n')[2]).toBe('0.00123457    123457');
  });
});
