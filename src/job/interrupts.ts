import { EXIT_CODES } from '../records/exit-codes.js';

export type InterruptSignal = 'SIGINT' | 'SIGTERM';

/**
 * Ctrl-C and SIGTERM for one app invocation. The first signal asks everyone listening to stop
 * (the running job, the sweep's launcher); a second one runs the synchronous last words (final
 * records) and exits at once.
 */
export class Interrupts {
  received: InterruptSignal | undefined;
  private readonly listeners = new Set<(signal: InterruptSignal) => void>();
  private readonly lastWords = new Set<(signal: InterruptSignal) => void>();
  private readonly handler = (signal: NodeJS.Signals) => this.receive(signal as InterruptSignal);

  constructor(private readonly exit: (code: number) => void = (code) => process.exit(code)) {
    process.on('SIGINT', this.handler);
    process.on('SIGTERM', this.handler);
  }

  /** Calls `listener` on the first signal (at once when one already came); returns an unsubscribe. */
  onInterrupt(listener: (signal: InterruptSignal) => void): () => void {
    if (this.received) listener(this.received);
    else this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Synchronous work that must happen even when a second signal exits at once. */
  onExitNow(write: (signal: InterruptSignal) => void): () => void {
    this.lastWords.add(write);
    return () => this.lastWords.delete(write);
  }

  receive(signal: InterruptSignal): void {
    if (this.received) {
      for (const write of this.lastWords) {
        try {
          write(signal);
        } catch {
          // exiting anyway: a record that cannot be written now cannot be written later
        }
      }
      this.exit(EXIT_CODES[signal]);
      return;
    }
    this.received = signal;
    for (const listener of [...this.listeners]) listener(signal);
  }

  dispose(): void {
    process.off('SIGINT', this.handler);
    process.off('SIGTERM', this.handler);
  }
}
