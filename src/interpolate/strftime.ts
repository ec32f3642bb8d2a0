/**
 * Python's `datetime.now().strftime(pattern)` on Linux (glibc, C locale), for Hydra's
 * `${now:...}`. The time is local and naive, as `datetime.now()` is: `%z` and `%Z` are empty.
 * glibc's flags work (`%-d` no padding, `%_d` blank padding, `%0e`, `%^a` upper case), and an
 * unknown directive is kept as written.
 */

const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const DAY_MS = 86_400_000;

function dayOfYear(d: Date): number {
  return Math.round((Date.UTC(d.getFullYear(), d.getMonth(), d.getDate()) - Date.UTC(d.getFullYear(), 0, 1)) / DAY_MS) + 1;
}

/** ISO 8601 week-based year and week number. */
function isoWeek(d: Date): { year: number; week: number } {
  const t = new Date(Date.UTC(d.getFullYear(), d.getMonth(), d.getDate()));
  const weekday = (t.getUTCDay() + 6) % 7; // Monday = 0
  t.setUTCDate(t.getUTCDate() - weekday + 3); // the Thursday of this week decides the year
  const year = t.getUTCFullYear();
  const week = 1 + Math.floor((t.getTime() - Date.UTC(year, 0, 1)) / DAY_MS / 7);
  return { year, week };
}

interface Field {
  text: string;
  /** Numeric fields have a default padding that flags can change. */
  pad?: '0' | ' ';
  width?: number;
}

function num(n: number, width: number, pad: '0' | ' ' = '0'): Field {
  return { text: String(n), pad, width };
}

function field(d: Date, c: string): Field | string | undefined {
  const hour12 = d.getHours() % 12 || 12;
  switch (c) {
    case 'a':
      return DAYS[d.getDay()]?.slice(0, 3);
    case 'A':
      return DAYS[d.getDay()];
    case 'w':
      return String(d.getDay());
    case 'u':
      return String(d.getDay() || 7);
    case 'd':
      return num(d.getDate(), 2);
    case 'e':
      return num(d.getDate(), 2, ' ');
    case 'b':
    case 'h':
      return MONTHS[d.getMonth()]?.slice(0, 3);
    case 'B':
      return MONTHS[d.getMonth()];
    case 'm':
      return num(d.getMonth() + 1, 2);
    case 'y':
      return num(d.getFullYear() % 100, 2);
    case 'Y':
      return num(d.getFullYear(), 1);
    case 'C':
      return num(Math.floor(d.getFullYear() / 100), 2);
    case 'G':
      return num(isoWeek(d).year, 1);
    case 'g':
      return num(isoWeek(d).year % 100, 2);
    case 'V':
      return num(isoWeek(d).week, 2);
    case 'H':
      return num(d.getHours(), 2);
    case 'k':
      return num(d.getHours(), 2, ' ');
    case 'I':
      return num(hour12, 2);
    case 'l':
      return num(hour12, 2, ' ');
    case 'p':
      return d.getHours() < 12 ? 'AM' : 'PM';
    case 'P':
      return d.getHours() < 12 ? 'am' : 'pm';
    case 'M':
      return num(d.getMinutes(), 2);
    case 'S':
      return num(d.getSeconds(), 2);
    case 'f':
      return String(d.getMilliseconds() * 1000).padStart(6, '0');
    case 'j':
      return num(dayOfYear(d), 3);
    case 'U':
      return num(Math.floor((dayOfYear(d) - 1 + 7 - d.getDay()) / 7), 2);
    case 'W':
      return num(Math.floor((dayOfYear(d) - 1 + 7 - ((d.getDay() + 6) % 7)) / 7), 2);
    case 's':
      return String(Math.floor(d.getTime() / 1000));
    case 'z':
    case 'Z':
      return '';
    case 'n':
      return '\n';
    case 't':
      return '\t';
    case '%':
      return '%';
    case 'c':
      return strftime(d, '%a %b %e %H:%M:%S %Y');
    case 'x':
    case 'D':
      return strftime(d, '%m/%d/%y');
    case 'X':
    case 'T':
      return strftime(d, '%H:%M:%S');
    case 'F':
      return strftime(d, '%Y-%m-%d');
    case 'R':
      return strftime(d, '%H:%M');
    case 'r':
      return strftime(d, '%I:%M:%S %p');
    default:
      return undefined;
  }
}

export function strftime(date: Date, pattern: string): string {
  return pattern.replace(/%([-_0^#]*)(\d*)[EO]?(.?)/gs, (whole, flags: string, widthText: string, c: string) => {
    const f = c === '' ? undefined : field(date, c);
    if (f === undefined) return whole;
    let text: string;
    if (typeof f === 'string') {
      text = widthText ? f.padStart(Number(widthText), flags.includes('0') ? '0' : ' ') : f;
    } else {
      const width = widthText ? Number(widthText) : (f.width ?? 0);
      const pad = flags.includes('_') ? ' ' : flags.includes('0') ? '0' : f.pad;
      text = flags.includes('-') ? f.text : f.text.padStart(width, pad);
    }
    return flags.includes('^') ? text.toUpperCase() : text;
  });
}
