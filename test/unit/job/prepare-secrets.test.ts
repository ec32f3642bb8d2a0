import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { prepareJob } from '../../../src/job/prepare.js';
import { TrellisError, formatError } from '../../../src/errors/index.js';
import { tmpDir } from '../../helpers/tmp-dir.js';

const SECRET = 'tok-9f8e7d6c5b4a';

/** Everything a user could see of an error: message, hints, locations, related errors and causes. */
function everything(error: unknown): string {
  expect(error).toBeInstanceOf(TrellisError);
  const e = error as TrellisError;
  const parts = [formatError(e, { verbose: true }), JSON.stringify(e.all().map((x) => [x.message, x.hint, x.where, x.keyPath]))];
  for (let cause: unknown = e.cause; cause instanceof Error; cause = cause.cause) parts.push(cause.message);
  return parts.join('\n');
}

async function failure(configYaml: string, schema: z.ZodType | undefined, env: NodeJS.ProcessEnv, overrides: string[] = []): Promise<string> {
  const cwd = tmpDir({ 'conf/config.yaml': configYaml });
  try {
    await prepareJob({ configDir: 'conf', configName: 'config', cwd, env, schema, name: 'job' }, overrides);
  } catch (error) {
    return everything(error);
  }
  throw new Error('expected the job to fail');
}

describe('secrets never reach error messages', () => {
  // Each case fails in a different stage, with the secret read through oc.env.
  const cases: { name: string; yaml: string; schema?: z.ZodType; env: NodeJS.ProcessEnv }[] = [
    {
      name: 'a zod enum refusing the value',
      yaml: 'mode: ${oc.env:API_TOKEN}\n',
      schema: z.object({ mode: z.enum(['fast', 'full']) }),
      env: { API_TOKEN: SECRET },
    },
    {
      name: 'a number field getting the text',
      yaml: 'port: ${oc.env:DB_PASSWORD}\n',
      schema: z.object({ port: z.number() }),
      env: { DB_PASSWORD: SECRET },
    },
    {
      name: 'a secret-named variable used inside a failing interpolation',
      yaml: 'url: ${oc.env:GITHUB_TOKEN}\nbad: ${oc.decode:${url}}\n',
      env: { GITHUB_TOKEN: `[${SECRET}` },
    },
  ];
  for (const c of cases) {
    it(`redacts the value in ${c.name}`, async () => {
      const text = await failure(c.yaml, c.schema, c.env);
      expect(text).not.toContain(SECRET);
      expect(text).toContain('***');
    });
  }

  it('leaves values of ordinary variables readable, since they help fix the error', async () => {
    const text = await failure('mode: ${oc.env:RUN_MODE}\n', z.object({ mode: z.enum(['fast', 'full']) }), { RUN_MODE: 'turbo-mode' });
    expect(text).toContain('turbo-mode');
  });
});
