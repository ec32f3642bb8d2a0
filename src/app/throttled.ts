/**
 * `write` through `soon()` waits until `1 / share` times its last duration has passed since it
 * last ran (a timer writes what came in meanwhile), so writing takes at most `share` of the time
 * however large the record grows; `now()` writes at once.
 */
export function throttled(write: () => void, share: number): { soon: () => void; now: () => void } {
  let readyAt = 0;
  let timer: NodeJS.Timeout | undefined;
  const now = () => {
    clearTimeout(timer);
    timer = undefined;
    const start = performance.now();
    write();
    const end = performance.now();
    readyAt = end + (end - start) / share;
  };
  const soon = () => {
    if (timer) return;
    const wait = readyAt - performance.now();
    if (wait <= 0) now();
    else timer = setTimeout(now, wait);
  };
  return { soon, now };
}
