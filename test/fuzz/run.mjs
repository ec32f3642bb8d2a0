// `npm run fuzz -- --runs 1000000`: the fuzz suite with that many inputs in all (FUZZ_RUNS), no test timeout.
import { spawnSync } from 'node:child_process';

const at = process.argv.indexOf('--runs');
const runs = at >= 0 ? process.argv[at + 1] : undefined;
if (runs !== undefined && !/^[1-9]\d*$/.test(runs)) {
  console.error(`--runs takes a positive whole number, got '${runs}'`);
  process.exit(2);
}
const env = runs ? { ...process.env, FUZZ_RUNS: runs } : process.env;
const result = spawnSync('npx', ['vitest', 'run', 'test/fuzz', '--test-timeout=86400000'], { stdio: 'inherit', env, shell: process.platform === 'win32' });
process.exit(result.status ?? 1);
