import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkControllerReachable, parseSbatch } from '../../../src/launch/slurm.js';
import { errorOf } from '../../helpers/errors.js';
import { tmpDir } from '../../helpers/tmp-dir.js';

/** A PATH whose `scontrol` runs `body` (a stand-in for a cluster in each state). */
function fakeScontrol(body: string): NodeJS.ProcessEnv {
  const bin = tmpDir();
  writeFileSync(join(bin, 'scontrol'), `#!/bin/sh\n${body}\n`);
  chmodSync(join(bin, 'scontrol'), 0o755);
  return { PATH: `${bin}:/usr/bin:/bin` };
}

describe('the SLURM launcher says at once that the controller is unreachable', () => {
  it.each([
    {
      name: 'the controller is down',
      body: 'echo "Slurmctld(primary) at ctl is DOWN"',
      message: 'The SLURM controller is unreachable (scontrol ping: Slurmctld(primary) at ctl is DOWN)',
    },
    { name: 'no answer in time', body: 'exec sleep 30', message: 'The SLURM controller is unreachable (scontrol ping: no answer within 0.3 s)' },
  ])('$name', async ({ body, message }) => {
    const run = checkControllerReachable(fakeScontrol(body), '/etc/slurm/slurm.conf', 300);
    await expect(run).rejects.toMatchObject({
      code: 'LAUNCHER_UNAVAILABLE',
      message,
      hint: 'check that slurmctld runs on the host /etc/slurm/slurm.conf names (SlurmctldHost) and that this machine reaches it (scontrol ping); --launcher local runs the jobs here',
    });
  });

  it('a controller that is up passes', async () => {
    await expect(checkControllerReachable(fakeScontrol('echo "Slurmctld(primary) at ctl is UP"'), 'slurm.conf', 5000)).resolves.toBeUndefined();
  });

  it('sbatch failing to reach the controller is no rejected request: it does not suggest --partition', () => {
    const stderr = 'sbatch: error: Batch job submission failed: Unable to contact slurm controller (connect failure)\n';
    const e = errorOf(() => parseSbatch({ status: 1, stdout: '', stderr }, ['--partition=gpu']));
    expect(e.code).toBe('LAUNCHER_UNAVAILABLE');
    expect(e.message).toBe('sbatch could not reach the SLURM controller: Batch job submission failed: Unable to contact slurm controller (connect failure)');
    expect(e.hint).not.toContain('--partition');
  });
});
