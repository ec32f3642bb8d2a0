import { launcherContract } from './launcher.suite.js';

// The SLURM launcher is held to the same behaviours against a real cluster in e2e/slurm.test.ts.
launcherContract('inline', []);
launcherContract('local (2 workers)', ['--jobs', '2']);
