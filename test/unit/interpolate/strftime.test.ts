import { describe, expect, it } from 'vitest';
import { strftime } from '../../../src/interpolate/index.js';

// Local times, so the expectations hold in any time zone.
const FRI = new Date(2024, 0, 5, 9, 7, 3, 45); // Friday 5 January 2024 09:07:03.045
const SUN_EVENING = new Date(2023, 11, 31, 21, 5, 9, 0); // Sunday 31 December 2023 21:05:09

describe('strftime (Python datetime.strftime on glibc, C locale)', () => {
  it.each([
    { name: "Hydra's default run dir", date: FRI, pattern: '%Y-%m-%d_%H-%M-%S', expected: '2024-01-05_09-07-03' },
    { name: 'microseconds', date: FRI, pattern: '%S.%f', expected: '03.045000' },
    { name: 'day of year', date: SUN_EVENING, pattern: '%j', expected: '365' },
    { name: 'day of year padded', date: FRI, pattern: '%j', expected: '005' },
    { name: 'names', date: FRI, pattern: '%a %A %b %B %h', expected: 'Fri Friday Jan January Jan' },
    { name: '12-hour clock', date: SUN_EVENING, pattern: '%I:%M %p', expected: '09:05 PM' },
    { name: 'two-digit year and century', date: FRI, pattern: '%y %C', expected: '24 20' },
    { name: 'weekday numbers', date: SUN_EVENING, pattern: '%w %u', expected: '0 7' },
    { name: 'week numbers (Sunday, Monday first)', date: FRI, pattern: '%U %W', expected: '00 01' },
    { name: 'ISO week at a year boundary', date: SUN_EVENING, pattern: '%G-W%V-%u', expected: '2023-W52-7' },
    { name: 'ISO week 1', date: FRI, pattern: '%G %V %g', expected: '2024 01 24' },
    { name: 'composites', date: FRI, pattern: '%F %T %D %R', expected: '2024-01-05 09:07:03 01/05/24 09:07' },
    { name: 'locale forms', date: FRI, pattern: '%c|%x|%X', expected: 'Fri Jan  5 09:07:03 2024|01/05/24|09:07:03' },
    { name: 'naive time: %z and %Z are empty', date: FRI, pattern: '[%z][%Z]', expected: '[][]' },
    { name: 'percent', date: FRI, pattern: '100%%', expected: '100%' },
    { name: 'space-padded day and hour', date: FRI, pattern: '%e|%k|%l', expected: ' 5| 9| 9' },
    { name: 'glibc flags', date: FRI, pattern: '%-d/%-m %_H %^a %-j', expected: '5/1  9 FRI 5' },
    { name: 'unknown directive is kept', date: FRI, pattern: '%Q%', expected: '%Q%' },
    { name: 'text without directives', date: FRI, pattern: 'run', expected: 'run' },
  ])('$name', ({ date, pattern, expected }) => {
    expect(strftime(date, pattern)).toBe(expected);
  });
});
