/**
 * `run.log` with and without the TensorBoard sink, in a fresh process started in a temp project
 * (cwd): CALLS calls of 10 scalars inside a real app run, with `++trellis.tensorboard=true` when
 * the second argument is "tb". Prints JSON: the logging time (the job's thread), the CPU time of
 * the whole process from the job's start until the run is recorded (the sink works on the
 * supervisor's thread), and the event file's size.
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { defineApp } from 'trellis';

const CALLS = Number(process.argv[2] ?? 200_000);
const WITH_TB = process.argv[3] === 'tb';
const NAMES = ['loss', 'acc', 'val_loss', 'val_acc', 'lr', 'grad_norm', 'w_norm', 'tokens', 'epoch_frac', 'throughput'];
const out = { calls: CALLS, scalars: CALLS * NAMES.length, tensorboard: WITH_TB };

const app = defineApp({ name: 'sink', configDir: 'conf', configName: 'config' }, async (_cfg, run) => {
  cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < CALLS; i++) {
    const values = {};
    for (let k = 0; k < NAMES.length; k++) values[NAMES[k]] = 1 / (i + k + 1);
    run.log(values, { step: i });
  }
  out.logMs = Number(process.hrtime.bigint() - t0) / 1e6;
  return { ok: 1 };
});
let cpu0;
const result = await app.run(WITH_TB ? ['++trellis.tensorboard=true'] : []);
const cpu = process.cpuUsage(cpu0);
out.cpuMs = (cpu.user + cpu.system) / 1000;
if (result.status !== 'completed') throw new Error(`run failed: ${String(result.error)}`);
const tb = join(result.dir, 'tb');
out.eventBytes = WITH_TB ? readdirSync(tb).reduce((n, f) => n + statSync(join(tb, f)).size, 0) : 0;
process.stdout.write(`${JSON.stringify(out)}\n`);
