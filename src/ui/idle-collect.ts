import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/**
 * One full garbage collection once the server has been idle for `idleMs` after a large piece of
 * work (a store of thousands of runs opened again, a listing rebuilt). V8 grows its old space
 * with the garbage such work promotes and, on an idle server, does not collect it for a long
 * time: the server's resident memory after the same requests varied from 157 to 213 MB with
 * 10,000 runs depending on when V8 last collected. Browsers collect in idle time for this
 * reason; a server process of our own may too. The collection of a ~50 MB heap takes 10–30 ms,
 * and happens only after work that took longer.
 */
export class IdleCollector {
  private timer: NodeJS.Timeout | undefined;
  private pending = false;

  constructor(
    private readonly idleMs = 500,
    private readonly collect: (() => void) | undefined = gcFunction(),
  ) {}

  /** Asks for a collection once the server has had no request for `idleMs`. */
  soon(): void {
    if (!this.collect) return;
    this.pending = true;
    this.arm();
  }

  /** A request came: a pending collection waits until the server is idle again. */
  busy(): void {
    if (this.pending) this.arm();
  }

  private arm(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.pending = false;
      this.collect!();
    }, this.idleMs).unref();
  }

  stop(): void {
    this.pending = false;
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}

/** `gc()`, exposed for this process (Node has no API for it without the flag). */
export function gcFunction(): (() => void) | undefined {
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (typeof exposed === 'function') return exposed;
  try {
    setFlagsFromString('--expose-gc');
    const gc: unknown = runInNewContext('gc');
    return typeof gc === 'function' ? (gc as () => void) : undefined;
  } catch {
    return undefined;
  }
}
