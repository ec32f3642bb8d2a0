import { afterEach, describe, expect, it } from 'vitest';
import { Interrupts } from '../../../src/job/interrupts.js';

const made: Interrupts[] = [];
afterEach(() => {
  while (made.length) made.pop()!.dispose();
});

function interrupts() {
  const exits: number[] = [];
  const watch = new Interrupts((code) => exits.push(code));
  made.push(watch);
  return { watch, exits };
}

describe('Interrupts: the first signal asks to stop, the second exits at once', () => {
  it.each([
    { signal: 'SIGINT' as const, code: 130 },
    { signal: 'SIGTERM' as const, code: 143 },
  ])('$signal: listeners hear the first; the second writes the last words and exits $code', ({ signal, code }) => {
    const { watch, exits } = interrupts();
    const heard: string[] = [];
    const written: string[] = [];
    watch.onInterrupt((s) => heard.push(s));
    watch.onExitNow((s) => written.push(s));
    watch.receive(signal);
    expect([heard, written, exits]).toEqual([[signal], [], []]);
    watch.receive(signal);
    expect([heard, written, exits]).toEqual([[signal], [signal], [code]]);
  });

  it('a listener added after the first signal hears it at once; an unsubscribed one does not', () => {
    const { watch } = interrupts();
    const heard: string[] = [];
    const off = watch.onInterrupt(() => heard.push('removed'));
    off();
    watch.receive('SIGINT');
    watch.onInterrupt((s) => heard.push(`late ${s}`));
    expect(heard).toEqual(['late SIGINT']);
  });

  it('last words that throw do not keep the process from exiting', () => {
    const { watch, exits } = interrupts();
    watch.onExitNow(() => {
      throw new Error('disk gone');
    });
    watch.receive('SIGINT');
    watch.receive('SIGINT');
    expect(exits).toEqual([130]);
  });

  it('is really wired to the process: a SIGINT sent to this process reaches it', async () => {
    const { watch } = interrupts();
    const heard = new Promise<string>((resolve) => watch.onInterrupt(resolve));
    process.kill(process.pid, 'SIGINT');
    expect(await heard).toBe('SIGINT');
  });
});
