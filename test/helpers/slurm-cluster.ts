/**
 * A real single-node SLURM for the tests (../shared/slurm/start-local-slurm.sh, next to the repo
 * as in CI), started when it can be: as root, with the script present and the SLURM packages
 * already installed (tests never install anything; `.ci/run` installs and starts the cluster).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './run-cli.js';

const scripts = join(repoRoot, '..', 'shared', 'slurm');
/** CPUs the test cluster advertises, so concurrent tests' tasks do not queue behind each other. */
const CLUSTER_ENV = { LOCAL_SLURM_CPUS: '8' };

export function startCluster(): { ok: true } | { ok: false; reason: string } {
  const start = join(scripts, 'start-local-slurm.sh');
  if (process.platform !== 'linux') return { ok: false, reason: 'needs Linux' };
  if (process.getuid?.() !== 0) {
    // Not root: usable only if a cluster is already up (e.g. started by .ci/run with sudo). Asked
    // only when a slurm.conf exists, so the client never looks for a controller in DNS.
    if (!existsSync(process.env.SLURM_CONF ?? '/etc/slurm/slurm.conf') || !existsSync('/usr/bin/scontrol'))
      return { ok: false, reason: 'needs root to start slurmd, and no SLURM is running' };
    const ping = spawnSync('scontrol', ['ping'], { encoding: 'utf8', timeout: 30_000 });
    return /is UP/.test(ping.stdout) ? { ok: true } : { ok: false, reason: 'needs root to start slurmd, and the configured controller does not answer' };
  }
  if (!existsSync(start)) return { ok: false, reason: `${start} not found` };
  const missing = ['/usr/sbin/munged', '/usr/sbin/slurmctld', '/usr/sbin/slurmd', '/usr/bin/sbatch'].filter((b) => !existsSync(b));
  if (missing.length) return { ok: false, reason: `SLURM packages not installed (${missing.join(', ')}); run ${start} once, as .ci/run does` };
  const r = spawnSync('bash', [start], { encoding: 'utf8', env: { ...process.env, ...CLUSTER_ENV }, timeout: 180_000 });
  if (r.status !== 0) return { ok: false, reason: `start-local-slurm.sh failed: ${(r.stderr || r.error?.message || '').trim().split('\n').at(-1)}` };
  return { ok: true };
}
