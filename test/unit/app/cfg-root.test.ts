import { describe, expect, it } from 'vitest';
import { defineApp } from '../../../src/app/define-app.js';
import { tmpDir } from '../../helpers/tmp-dir.js';

async function main(cwd: string, args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const app = defineApp({ cwd, name: 'train' }, () => undefined);
  const code = await app.main(args, { stdout: (t) => (out += t), stderr: (t) => (err += t), env: {}, color: false, isTTY: false });
  return { code, out, err };
}

// Hydra prints the runtime node under `hydra:` for both --cfg hydra and --cfg all.
describe('--cfg hydra and --cfg all print the runtime node under the same root', () => {
  it.each([
    { name: '--cfg hydra', args: ['--cfg', 'hydra'] },
    { name: '--cfg all', args: ['--cfg', 'all'] },
  ])('$name', async ({ args }) => {
    const r = await main(tmpDir({ 'conf/config.yaml': 'x: 1\n' }), args);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/^hydra:\n/m);
    expect(r.out).not.toMatch(/^trellis:/m);
  });

  it.each([
    { name: 'hydra.job.name', package: 'hydra.job.name' },
    { name: 'trellis.job.name, its alias', package: 'trellis.job.name' },
  ])('--cfg all --package $name', async ({ package: key }) => {
    const r = await main(tmpDir({ 'conf/config.yaml': 'x: 1\n' }), ['--cfg', 'all', '--package', key]);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toBe('train\n');
  });

  it('--cfg all still prints the job config beside it', async () => {
    const r = await main(tmpDir({ 'conf/config.yaml': 'x: 1\n' }), ['--cfg', 'all']);
    expect(r.out).toMatch(/^x: 1$/m);
  });
});
