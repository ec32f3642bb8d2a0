import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { acquireRecordLock, withRecordLock } from '../../../src/run/record-lock.js';
import { errorOf } from '../../helpers/errors.js';
import { tmpDir } from '../../helpers/tmp-dir.js';

/** The pid of a process that has exited (spawnSync returns once it has). */
function deadPid(): number {
  const pid = spawnSync(process.execPath, ['-e', '']).pid!;
  expect(() => process.kill(pid, 0)).toThrow(expect.objectContaining({ code: 'ESRCH' }));
  return pid;
}

const holder = (pid: number, host = hostname()) => JSON.stringify({ pid, host, since: '2026-11-20T10:00:00.000Z', token: 'left-behind' });

describe('withRecordLock', () => {
  it('holds `${path}.lock` with pid and host while fn runs, and removes it after', () => {
    const record = join(tmpDir(), 'run.json');
    const seen = withRecordLock(record, () => JSON.parse(readFileSync(`${record}.lock`, 'utf8')) as Record<string, unknown>);
    expect(seen).toMatchObject({ pid: process.pid, host: hostname() });
    expect(existsSync(`${record}.lock`)).toBe(false);
  });

  it('releases when fn throws', () => {
    const record = join(tmpDir(), 'run.json');
    expect(() =>
      withRecordLock(record, () => {
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(existsSync(`${record}.lock`)).toBe(false);
  });

  it('holds the lock until a returned promise settles', async () => {
    const record = join(tmpDir(), 'run.json');
    let finish!: () => void;
    const done = withRecordLock(record, () => new Promise<string>((resolve) => (finish = () => resolve('ok'))));
    expect(existsSync(`${record}.lock`)).toBe(true);
    finish();
    expect(await done).toBe('ok');
    expect(existsSync(`${record}.lock`)).toBe(false);
  });

  it('releases when a returned promise rejects', async () => {
    const record = join(tmpDir(), 'run.json');
    await expect(withRecordLock(record, () => Promise.reject(new Error('late boom')))).rejects.toThrow('late boom');
    expect(existsSync(`${record}.lock`)).toBe(false);
  });
});

describe('acquireRecordLock and a lock file already there', () => {
  it.each([
    { name: 'a live holder of this host', lock: () => holder(process.pid), hint: 'try again when it is done' },
    {
      name: 'a holder of another host (its pid cannot be checked)',
      lock: () => holder(deadPid(), 'elsewhere'),
      hint: /if that process is gone, delete .*run\.json\.lock$/,
    },
    { name: 'a file still being written (unreadable, just now)', lock: () => '', hint: 'try again when it is done' },
  ])('waits for $name, then RUN_LOCKED', ({ lock, hint }) => {
    const record = join(tmpDir(), 'run.json');
    writeFileSync(`${record}.lock`, lock());
    const started = Date.now();
    const e = errorOf(() => acquireRecordLock(record, { timeoutMs: 100 }));
    expect(Date.now() - started).toBeGreaterThanOrEqual(100);
    expect(e.code).toBe('RUN_LOCKED');
    expect(e.message).toMatch(/run\.json\.lock is held by /);
    expect(e.hint).toMatch(hint);
  });

  it.each([
    { name: 'left by a process of this host that is gone', lock: () => holder(deadPid()), age: 0 },
    { name: 'left unreadable by a process that died creating it', lock: () => '{"pid": 1', age: 5000 },
  ])('takes over one $name', ({ lock, age }) => {
    const record = join(tmpDir(), 'run.json');
    writeFileSync(`${record}.lock`, lock());
    if (age) utimesSync(`${record}.lock`, new Date(Date.now() - age), new Date(Date.now() - age));
    const held = acquireRecordLock(record, { timeoutMs: 100 });
    expect(JSON.parse(readFileSync(held.path, 'utf8'))).toMatchObject({ pid: process.pid });
    held.release();
    expect(existsSync(held.path)).toBe(false);
  });

  it('removes a takeover guard left by a process that is gone', () => {
    const record = join(tmpDir(), 'run.json');
    writeFileSync(`${record}.lock`, holder(deadPid()));
    writeFileSync(`${record}.lock.break`, holder(deadPid()));
    acquireRecordLock(record, { timeoutMs: 100 }).release();
    expect([existsSync(`${record}.lock`), existsSync(`${record}.lock.break`)]).toEqual([false, false]);
  });

  it("a holder whose lock was taken over does not remove the new holder's lock", () => {
    const record = join(tmpDir(), 'run.json');
    const first = acquireRecordLock(record);
    writeFileSync(first.path, holder(deadPid())); // as if its process had been judged gone
    const second = acquireRecordLock(record, { timeoutMs: 100 });
    first.release();
    expect(JSON.parse(readFileSync(second.path, 'utf8'))).toMatchObject({ pid: process.pid });
    second.release();
    second.release();
    expect(existsSync(second.path)).toBe(false);
  });

  it('reports a directory it cannot create the lock in as RUN_IO', () => {
    const e = errorOf(() => acquireRecordLock(join(tmpDir(), 'missing', 'run.json')));
    expect(e.code).toBe('RUN_IO');
    expect(e.message).toMatch(/Cannot create lock file .*run\.json\.lock \(ENOENT\)/);
  });
});
