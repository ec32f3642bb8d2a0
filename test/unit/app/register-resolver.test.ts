import { describe, expect, it } from 'vitest';
import { defineApp } from '../../../src/app/define-app.js';
import { tmpDir } from '../../helpers/tmp-dir.js';

async function printResolved(app: ReturnType<typeof defineApp>): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await app.main(['--cfg', 'job', '--resolve'], { stdout: (t) => (out += t), stderr: (t) => (err += t), env: {}, color: false, isTTY: false });
  return { code, out, err };
}

describe('app.registerResolver', () => {
  it('adds a resolver to one app only (no process-wide registry)', async () => {
    const cwd = tmpDir({ 'conf/config.yaml': 'answer: ${double:21}\nlabel: run-${double:2}\n' });
    const withResolver = defineApp({ cwd }, () => undefined).registerResolver('double', ([x]) => (x?.kind === 'value' ? Number(x.value) * 2 : null));
    expect(await printResolved(withResolver)).toEqual({ code: 0, out: 'answer: 42\nlabel: run-4\n', err: '' });
    const without = await printResolved(defineApp({ cwd }, () => undefined));
    expect(without.code).toBe(1);
    expect(without.err).toContain('INTERPOLATION_RESOLVER_UNKNOWN');
  });
});
