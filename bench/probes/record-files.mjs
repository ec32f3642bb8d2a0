/**
 * What the file system alone costs per job: the file operations an inline job makes for its run
 * directory (DESIGN.md §5), done by plain Node calls with nothing computed. Per job: the run
 * directory and its `.trellis/`, 14 records written to a temp file and renamed into place
 * (run.json and seeds.json twice), the log and metrics files. Prints JSON: { msPerJob }.
 */
import { closeSync, mkdirSync, openSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';

const [dir, jobsText = '100'] = process.argv.slice(2);
const jobs = Number(jobsText);
const RECORDS = [
  'run.json',
  'config.yaml',
  'resolved.yaml',
  'overrides.yaml',
  'choices.yaml',
  'provenance.json',
  'defaults.json',
  'env.json',
  'git.json',
  'seeds.json',
  'run.json',
  'seeds.json',
  'inputs.json',
  'summary.json',
];
const text = 'x'.repeat(400);
mkdirSync(dir, { recursive: true });
let temp = 0;
const t0 = process.hrtime.bigint();
for (let job = 0; job < jobs; job++) {
  const runDir = join(dir, String(job));
  mkdirSync(runDir);
  mkdirSync(join(runDir, '.trellis'));
  for (const name of ['bench.log', join('.trellis', 'metrics.jsonl')]) closeSync(openSync(join(runDir, name), 'a'));
  for (const name of RECORDS) {
    const path = join(runDir, '.trellis', name);
    const tempPath = `${path}.${++temp}.tmp`;
    const fd = openSync(tempPath, 'wx');
    writeSync(fd, text);
    closeSync(fd);
    renameSync(tempPath, path);
  }
}
console.log(JSON.stringify({ msPerJob: Number(process.hrtime.bigint() - t0) / 1e6 / jobs }));
