/**
 * Synthetic Hydra history for the import bench: `count` run folders in Hydra 1.3's layout, made
 * from the hand-written fixture (test/fixtures/hydra/project): 20 % single runs under
 * outputs/DATE/TIME, the rest jobs of 100-job sweeps under multirun/DATE/TIME/N with multirun.yaml.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './util.mjs';

const FIXTURE = join(ROOT, 'test', 'fixtures', 'hydra', 'project');
const SWEEP = join(FIXTURE, 'multirun', '2026-11-21', '10-00-00');

export function generateHydraRuns(root, count) {
  const hydraJob = readFileSync(join(SWEEP, '0', '.hydra', 'hydra.yaml'), 'utf8').replaceAll('<root>', root);
  const hydraSingle = readFileSync(join(FIXTURE, 'outputs', '2026-11-20', '09-00-00', '.hydra', 'hydra.yaml'), 'utf8').replaceAll('<root>', root);
  const config = readFileSync(join(SWEEP, '0', '.hydra', 'config.yaml'), 'utf8');
  const multirun = readFileSync(join(SWEEP, 'multirun.yaml'), 'utf8').replaceAll('<root>', root);
  const pad = (n) => String(n).padStart(2, '0');
  const write = (dir, hydra, overrides, num) => {
    mkdirSync(join(dir, '.hydra'), { recursive: true });
    writeFileSync(join(dir, '.hydra', 'config.yaml'), config.replace('workers: 4', `workers: ${num}`));
    writeFileSync(join(dir, '.hydra', 'hydra.yaml'), hydra.replace(/num: \d+/, `num: ${num}`));
    writeFileSync(join(dir, '.hydra', 'overrides.yaml'), overrides.map((o) => `- ${o}\n`).join(''));
    writeFileSync(join(dir, 'my_app.log'), `[2026-11-21 10:${pad(num % 60)}:00,000][__main__][INFO] - job ${num}\n`);
  };
  const singles = Math.round(count * 0.2);
  for (let i = 0; i < singles; i++)
    write(join(root, 'outputs', '2026-11-20', `${pad(i % 24)}-${pad(((i / 24) % 60) | 0)}-${pad(i % 60)}-${i}`), hydraSingle, [`app.workers=${i}`], i);
  for (let i = 0; i < count - singles; i++) {
    const sweep = join(root, 'multirun', '2026-11-21', `sweep-${Math.floor(i / 100)}`);
    if (i % 100 === 0) {
      mkdirSync(sweep, { recursive: true });
      writeFileSync(join(sweep, 'multirun.yaml'), multirun);
    }
    write(join(sweep, String(i % 100)), hydraJob, ['db=mysql', `app.workers=${i % 100}`], i % 100);
  }
}
