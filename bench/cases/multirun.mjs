/**
 * Multirun overhead per job: a 100-job sweep (seed=range(0,100)) of the trivial app through the
 * inline launcher and through the local pool (--jobs 2), minus a single run, per extra job:
 * (T(sweep) − T(single run)) / 99. Baseline: a bare Node start (`node -e 0`).
 */
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { makeAppDir } from '../lib/app-dir.mjs';
import { BENCH_DIR, NODE, interleave, median, probe, removeDir, row, tempDir, timeSpawnOk } from '../lib/util.mjs';

/** A RAM file system, when the machine has one: the same sweep there shows trellis's own cost. */
const RAM_DIR = '/dev/shm';

export const title = 'Multirun overhead';
const JOBS = 100;

export async function run({ multirunReps }) {
  const { dir } = makeAppDir('multirun');
  const ramDir = existsSync(RAM_DIR) ? mkdtempSync(join(RAM_DIR, 'trellis-bench-multirun-')) : undefined;
  if (ramDir) cpSync(dir, ramDir, { recursive: true });
  const filesDir = tempDir('record-files');
  try {
    const app = join(BENCH_DIR, 'fixtures', 'trivial-app.mjs');
    const sweep = [`seed=range(0,${JOBS})`];
    const clean = (cwd = dir) => {
      rmSync(join(cwd, 'outputs'), { recursive: true, force: true });
      rmSync(join(cwd, 'multirun'), { recursive: true, force: true });
    };
    const check = (r, cwd = dir) => {
      const m = /sweep finished: (\d+)\/(\d+) jobs completed/.exec(r.stderr);
      if (!m || m[1] !== String(JOBS)) throw new Error(`sweep did not complete ${JOBS} jobs:\n${r.stderr.slice(-2000)}`);
      clean(cwd);
      return r.ms;
    };
    const fileOps = () => {
      const out = probe('record-files.mjs', [filesDir, String(JOBS)]).msPerJob;
      rmSync(filesDir, { recursive: true, force: true });
      return out;
    };
    const samples = interleave(
      {
        node: () => timeSpawnOk([NODE, '-e', '0'], { cwd: dir }).ms,
        single: () => timeSpawnOk([NODE, app], { cwd: dir }).ms,
        inline: () => check(timeSpawnOk([NODE, app, '-m', ...sweep, '--launcher', 'inline'], { cwd: dir })),
        local: () => check(timeSpawnOk([NODE, app, '-m', ...sweep, '--jobs', '2'], { cwd: dir })),
        files: fileOps,
        ...(ramDir
          ? {
              ramSingle: () => timeSpawnOk([NODE, app], { cwd: ramDir }).ms,
              ramInline: () => check(timeSpawnOk([NODE, app, '-m', ...sweep, '--launcher', 'inline'], { cwd: ramDir }), ramDir),
              ramLocal: () => check(timeSpawnOk([NODE, app, '-m', ...sweep, '--jobs', '2'], { cwd: ramDir }), ramDir),
            }
          : {}),
      },
      { reps: multirunReps, warmup: 0 },
    );
    const base = median(samples.node);
    const single = median(samples.single);
    const perJob = (name) => (median(samples[name]) - single) / (JOBS - 1);
    const inline = perJob('inline');
    const files = median(samples.files);
    const local = perJob('local');
    const common = { unit: 'ms/job', baseline: base, baselineName: 'node -e 0', baselineUnit: 'ms' };
    return [
      row({
        id: 'multirun.inline',
        name: `inline launcher, ${JOBS} jobs`,
        value: inline,
        ...common,
        target: '≤ 2 ms/job',
        pass: inline <= 2,
        note: `sweep ${(median(samples.inline) / 1000).toFixed(2)} s, single run ${single.toFixed(0)} ms`,
        samples: samples.inline,
      }),
      row({
        id: 'multirun.inline.files',
        name: 'file operations of one job, alone',
        value: files,
        unit: 'ms/job',
        baseline: inline,
        baselineName: 'inline launcher, per job',
        target: '(report)',
        pass: null,
        note: 'a plain Node script making what a job makes in its run directory (2 mkdir, 2 files, 14 temp + rename) on the same disk: the part of the inline figure the file system takes',
        samples: samples.files,
      }),
      ...(ramDir
        ? [
            row({
              id: 'multirun.inline.ram',
              name: `inline launcher, ${JOBS} jobs, in ${RAM_DIR}`,
              value: (median(samples.ramInline) - median(samples.ramSingle)) / (JOBS - 1),
              ...common,
              target: '(report)',
              pass: null,
              note: `the same sweep on a RAM file system: trellis's own overhead without the disk; sweep ${(median(samples.ramInline) / 1000).toFixed(2)} s, single run ${median(samples.ramSingle).toFixed(0)} ms`,
              samples: samples.ramInline,
            }),
          ]
        : []),
      row({
        id: 'multirun.local',
        name: `local pool --jobs 2, ${JOBS} jobs`,
        value: local,
        ...common,
        target: '(report)',
        pass: null,
        note: `sweep ${(median(samples.local) / 1000).toFixed(2)} s; 2 worker processes, each reused for its jobs`,
        samples: samples.local,
      }),
      ...(ramDir
        ? [
            (() => {
              const ramLocal = (median(samples.ramLocal) - median(samples.ramSingle)) / (JOBS - 1);
              return row({
                id: 'multirun.local.ram',
                name: `local pool --jobs 2, ${JOBS} jobs, in ${RAM_DIR}`,
                value: ramLocal,
                ...common,
                target: '≤ 10 ms/job',
                pass: ramLocal <= 10,
                note: `wall time per job beyond a single run, on a RAM file system (the job itself does almost nothing); sweep ${(median(samples.ramLocal) / 1000).toFixed(2)} s`,
                samples: samples.ramLocal,
              });
            })(),
          ]
        : []),
    ];
  } finally {
    removeDir(dir);
    removeDir(filesDir);
    if (ramDir) removeDir(ramDir);
  }
}
