import { startCluster } from '../helpers/slurm-cluster.js';
import { launcherContract } from './launcher.suite.js';

launcherContract('inline', []);
launcherContract('local (2 workers)', ['--jobs', '2']);
const cluster = startCluster();
launcherContract('slurm (2 tasks at once)', ['--launcher', 'slurm', '--poll-interval', '0.3', '--max-parallel', '2'], {
  jobsDieWithSweep: false,
  skip: cluster.ok ? undefined : cluster.reason,
});
