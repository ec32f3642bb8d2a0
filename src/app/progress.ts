/** A sweep's progress: a live bar on a terminal, plain lines elsewhere. */
export interface SweepProgress {
  /** Prints a line: above the bar on a terminal, never into it. */
  print(line: string): void;
  jobStarted(): void;
  jobEnded(completed: boolean): void;
  /** Clears the bar; what is printed after it (the results table) stands alone. */
  stop(): void;
}

/**
 * On a terminal, cli-progress's MultiBar with one bar: its `log()` puts lines above the bar,
 * which a SingleBar cannot. cli-progress (CommonJS) loads only here, and only on a terminal.
 */
export async function createProgress(options: { total: number; isTTY: boolean; write: (text: string) => void }): Promise<SweepProgress> {
  const plain = (line: string) => options.write(`${line}\n`);
  if (!options.isTTY) return { print: plain, jobStarted: () => undefined, jobEnded: () => undefined, stop: () => undefined };
  const progressBars = (await import('cli-progress')).default;
  const bars = new progressBars.MultiBar(
    {
      format: '[trellis] {bar} {value}/{total} jobs | {running} running | {failed} failed | ETA {eta_formatted}',
      stream: process.stderr,
      hideCursor: true,
      clearOnComplete: true,
      gracefulExit: false,
      etaBuffer: 4,
    },
    progressBars.Presets.shades_classic,
  );
  let done = 0;
  let running = 0;
  let failed = 0;
  const bar = bars.create(options.total, 0, { running, failed });
  const update = () => bar.update(done, { running, failed });
  let stopped = false;
  return {
    print: (line) => (stopped ? plain(line) : bars.log(`${line}\n`)),
    jobStarted: () => {
      running++;
      update();
    },
    jobEnded: (completed) => {
      running = Math.max(0, running - 1);
      done++;
      if (!completed) failed++;
      update();
    },
    stop: () => {
      if (stopped) return;
      stopped = true;
      // Lines logged since the last redraw are written before the bar is cleared.
      bars.update();
      bars.stop();
    },
  };
}
