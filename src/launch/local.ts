import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TrellisError } from '../errors/index.js';
import { CHILD_ENV, type ChildResult, type JobSpec, type LaunchedJob, type Launcher } from './launcher.js';

export { CHILD_ENV, type ChildResult } from './launcher.js';


export interface LocalLauncherOptions {
  /** The app's script, started once per job. */
  entry: string | undefined;
  /** Flags every child gets (config dir/name). */
  baseArgs: string[];
  sweepDir: string;
  now: Date;
  jobs: number;
  /** Device ids handed out per slot as CUDA_VISIBLE_DEVICES. */
  devices: string[] | undefined;
  cwd: string;
  env: NodeJS.ProcessEnv;
  print: (line: string) => void;
}

/** Runs each job in its own Node process, `jobs` at a time. */
export function localLauncher(options: LocalLauncherOptions): Launcher {
  if (!options.entry) {
    throw new TrellisError('USAGE', 'The local launcher needs the app to be started from a script', { hint: 'run the app as `node your-app.js -m …`, or use --launcher inline' });
  }
  const entry = options.entry;
  const running = new Map<number, ChildProcess>();
  const freeSlots = Array.from({ length: options.jobs }, (_, i) => i);
  const resultsDir = join(options.sweepDir, '.trellis', 'jobs');
  mkdirSync(resultsDir, { recursive: true });

  return {
    name: 'local',
    parallelism: options.jobs,
    launch(spec: JobSpec): Promise<LaunchedJob> {
      const slot = freeSlots.shift() ?? 0;
      const resultFile = join(resultsDir, `${spec.num}.json`);
      const env: NodeJS.ProcessEnv = {
        ...options.env,
        [CHILD_ENV.sweepDir]: options.sweepDir,
        [CHILD_ENV.jobNum]: String(spec.num),
        [CHILD_ENV.resultFile]: resultFile,
        [CHILD_ENV.now]: options.now.toISOString(),
      };
      if (options.devices?.length) env.CUDA_VISIBLE_DEVICES = options.devices[slot % options.devices.length];
      const child = spawn(process.execPath, [...process.execArgv, entry, ...options.baseArgs, ...spec.overrides], { cwd: options.cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
      running.set(spec.num, child);
      const relay = (stream: NodeJS.ReadableStream | null) => {
        let pending = '';
        stream?.on('data', (chunk: Buffer) => {
          pending += chunk.toString();
          const lines = pending.split('\n');
          pending = lines.pop() ?? '';
          for (const line of lines) options.print(`[job ${spec.num}] ${line}`);
        });
      };
      relay(child.stdout);
      relay(child.stderr);
      return new Promise((resolve) => {
        child.on('close', (code, signal) => {
          running.delete(spec.num);
          freeSlots.push(slot);
          let result: ChildResult | undefined;
          if (existsSync(resultFile)) {
            try {
              result = JSON.parse(readFileSync(resultFile, 'utf8')) as ChildResult;
            } catch {
              result = undefined;
            }
          }
          resolve({
            num: spec.num,
            overrides: spec.overrides,
            status: result?.status ?? (signal === 'SIGINT' || code === 130 ? 'interrupted' : 'failed'),
            dir: result?.dir,
            returnValue: result?.returnValue,
            error: result?.error ?? (result ? undefined : `the job process ended (${signal ?? `exit ${code}`}) before reporting a result`),
          });
        });
      });
    },
    async cancel() {
      const waits = [...running.values()].map((child) => new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('close', () => resolve());
        child.kill('SIGINT');
      }));
      await Promise.all(waits);
    },
  };
}
