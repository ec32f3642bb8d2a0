/**
 * The SLURM launcher's pure parts, without SLURM: squeue/sbatch/scontrol parsing, the mapping of
 * task states onto run statuses (cases from shared/slurm/NOTES.md), and the task script's quoting.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { TrellisError } from '../../../src/errors/index.js';
import { configValue, parseSbatch, parseSqueue, taskOutcome, taskScript, type TaskState } from '../../../src/launch/slurm.js';
import { shellQuote } from '../../../src/util/shell-quote.js';

const state = (s: string, exitCode = 0, reason = 'None'): TaskState => ({ arrayId: '7', taskId: '0', state: s, exitCode, reason });
const result = (status: 'completed' | 'failed' | 'interrupted', error?: string) => ({ status, dir: '/x/0', returnValue: null, error });
const stepd = (what: string) => `slurmstepd-vm: error: *** JOB 31 ON vm CANCELLED AT 2026-11-23T10:15:37${what} ***\n`;

describe('slurm launcher: parsing', () => {
  it('reads squeue --array lines keyed A_i, keeping the reason last', () => {
    const states = parseSqueue('3|1|FAILED|768|NonZeroExitCode\n3|3|PENDING|0|JobArrayTaskLimit\n3|0|CANCELLED by 0|15|None\n\n');
    expect([...states.keys()]).toEqual(['3_1', '3_3', '3_0']);
    expect(states.get('3_1')).toEqual({ arrayId: '3', taskId: '1', state: 'FAILED', exitCode: 768, reason: 'NonZeroExitCode' });
    expect(states.get('3_0')!.state).toBe('CANCELLED');
  });

  it('takes the array id from sbatch --parsable, with or without a cluster name', () => {
    expect(parseSbatch({ status: 0, stdout: '42\n', stderr: '' }, [])).toBe('42');
    expect(parseSbatch({ status: 0, stdout: '42;local\n', stderr: '' }, [])).toBe('42');
  });

  it.each([
    {
      name: 'rejected',
      r: {
        status: 1,
        stdout: '',
        stderr: 'sbatch: error: invalid partition specified: x\nsbatch: error: Batch job submission failed: Invalid partition name specified\n',
      },
      code: 'LAUNCHER_REJECTED',
      message: 'sbatch rejected the job array: invalid partition specified: x; Batch job submission failed: Invalid partition name specified',
    },
    {
      name: 'missing',
      r: { status: null, stdout: '', stderr: '', errorCode: 'ENOENT' },
      code: 'LAUNCHER_UNAVAILABLE',
      message: 'sbatch is not installed (not found on PATH)',
    },
  ])('sbatch $name is a TrellisError with its message', ({ r, code, message }) => {
    let error: unknown;
    try {
      parseSbatch(r, ['--partition=x']);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(TrellisError);
    expect(error).toMatchObject({ code, message });
  });

  it('reads scontrol show config values', () => {
    const text = 'KillWait                = 5 sec\nMaxArraySize            = 1001\n';
    expect(configValue(text, 'MaxArraySize')).toBe('1001');
    expect(Number.parseInt(configValue(text, 'KillWait')!, 10)).toBe(5);
    expect(configValue(text, 'MinJobAge')).toBeUndefined();
  });
});

describe('slurm launcher: task state → run status', () => {
  it.each([
    { name: 'completed with a result', state: state('COMPLETED'), result: result('completed'), want: { status: 'completed', error: undefined } },
    { name: 'the job threw', state: state('FAILED', 256, 'NonZeroExitCode'), result: result('failed', 'boom'), want: { status: 'failed', error: 'boom' } },
    {
      name: 'killed by SIGKILL, no result',
      state: state('FAILED', 9, 'JobLaunchFailure'),
      result: undefined,
      stderr: 'x\nKilled here\n',
      want: { status: 'failed', error: 'the task failed (signal 9, JobLaunchFailure) before reporting a result; last stderr line: Killed here' },
    },
    {
      name: 'exit 3 before any result',
      state: state('FAILED', 768, 'NonZeroExitCode'),
      result: undefined,
      want: { status: 'failed', error: 'the task failed (exit 3) before reporting a result' },
    },
    {
      name: 'exit 0 without a result',
      state: state('COMPLETED'),
      result: undefined,
      want: { status: 'failed', error: 'the task exited 0 without reporting a result' },
    },
    {
      name: 'scancel while running',
      state: state('CANCELLED', 15),
      result: result('interrupted', 'interrupted by SIGTERM'),
      want: { status: 'interrupted', error: 'cancelled in SLURM (scancel) while running' },
    },
    {
      name: 'scancel while pending',
      state: state('CANCELLED', 0, 'Resources'),
      result: undefined,
      want: { status: 'interrupted', error: 'cancelled in SLURM (scancel) before reporting a result' },
    },
    { name: 'scancel just after it completed', state: state('CANCELLED', 15), result: result('completed'), want: { status: 'completed', error: undefined } },
    {
      name: 'time limit (by state, not exit code)',
      state: state('TIMEOUT', 15, 'TimeLimit'),
      result: result('interrupted', 'interrupted by SIGTERM'),
      time: '1',
      want: { status: 'failed', error: 'reached the SLURM time limit (TIMEOUT, --time 1)' },
    },
    {
      name: 'out of memory',
      state: state('OUT_OF_MEMORY'),
      result: undefined,
      want: { status: 'failed', error: 'ran out of memory (OUT_OF_MEMORY); ask for more with --mem' },
    },
    {
      name: 'node failure',
      state: state('NODE_FAIL', 0, 'NodeDown'),
      result: undefined,
      want: { status: 'failed', error: 'SLURM ended the task: NODE_FAIL (NodeDown)' },
    },
    { name: 'preempted', state: state('PREEMPTED'), result: undefined, want: { status: 'interrupted', error: 'preempted by SLURM (PREEMPTED)' } },
    { name: 'forgotten by SLURM, result kept', state: undefined, result: result('failed', 'boom'), want: { status: 'failed', error: 'boom' } },
    {
      name: 'forgotten, timed out (stderr line)',
      state: undefined,
      result: undefined,
      stderr: stepd(' DUE TO TIME LIMIT'),
      want: { status: 'failed', error: 'reached the SLURM time limit (TIMEOUT)' },
    },
    {
      name: 'forgotten, cancelled (stderr line)',
      state: undefined,
      result: undefined,
      stderr: stepd(''),
      want: { status: 'interrupted', error: 'cancelled in SLURM (scancel) before reporting a result' },
    },
    {
      name: 'forgotten, nothing known',
      state: undefined,
      result: undefined,
      want: { status: 'failed', error: 'the task ended without reporting a result and SLURM no longer lists it' },
    },
  ])('$name', ({ state: s, result: r, stderr, time, want }) => {
    expect(taskOutcome({ state: s, result: r, stderrText: stderr ?? '', time })).toEqual(want);
  });
});

describe('slurm launcher: task script', () => {
  it('hands each array index its job number and override strings exactly, whatever they contain', () => {
    const jobs = [
      { num: 4, overrides: ['lr=0.1', "msg='it''s here'", 'path="a b"'] },
      { num: 9, overrides: ['x=$HOME `id` \\n', '+tags=[a,b]', 'e='] },
    ];
    const script = taskScript({
      jobs,
      sweepDir: "/tmp/sweep dir/it's",
      cwd: '/tmp',
      now: new Date(0),
      command: ['/bin/bash', '-c', 'printf "%s\\n" "$TRELLIS_JOB_NUM" "$TRELLIS_SWEEP_DIR" "$TRELLIS_JOB_RESULT" "$@"', 'argv0'],
    });
    for (const [index, job] of jobs.entries()) {
      const r = spawnSync('bash', ['-c', script], {
        encoding: 'utf8',
        env: { PATH: process.env.PATH, SLURM_ARRAY_TASK_ID: String(index), SLURM_ARRAY_JOB_ID: '77' },
      });
      expect(r.status).toBe(0);
      expect(r.stdout.split('\n').slice(0, -1)).toEqual([
        String(job.num),
        "/tmp/sweep dir/it's",
        `/tmp/sweep dir/it's/.trellis/slurm/77_${index}.json`,
        ...job.overrides,
      ]);
    }
    const bad = spawnSync('bash', ['-c', script], { encoding: 'utf8', env: { PATH: process.env.PATH, SLURM_ARRAY_TASK_ID: '5' } });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('array task 5 has no job');
  });

  it('quotes only what needs quoting', () => {
    expect(shellQuote('lr=0.1')).toBe('lr=0.1');
    expect(shellQuote("a'b")).toBe(`'a'\\''b'`);
    expect(shellQuote('')).toBe("''");
  });
});
