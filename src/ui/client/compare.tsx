import { useEffect, useState } from 'preact/hooks';
import { getJson } from './api.js';
import { cellText } from './format.js';
import { Curves } from './curves.js';
import { hrefOf } from './route.js';

interface DiffEntry {
  key: string;
  a?: unknown;
  b?: unknown;
  aFrom?: string;
  bFrom?: string;
}
interface RunDiff {
  categories: Record<string, DiffEntry[]>;
}

/**
 * Two runs or more side by side, as `trellis runs diff` gives it: the first run against each
 * other, the keys that differ anywhere first by category, each value with where it came from.
 */
export function Compare(props: { runs: string[]; params: URLSearchParams }) {
  const [diffs, setDiffs] = useState<RunDiff[] | null>(null);
  const [error, setError] = useState('');
  useEffect(() => {
    if (props.runs.length < 2) return;
    getJson<{ diffs: RunDiff[] }>('/api/diff', { runs: props.runs.join(',') }).then(
      (d) => setDiffs(d.diffs),
      (e: Error) => setError(e.message),
    );
  }, [props.runs.join(',')]);
  if (props.runs.length < 2) return <p class="muted">Select two runs or more in the table to compare them.</p>;
  if (error) return <div class="problem">{error}</div>;
  if (!diffs) return <p class="muted">loading…</p>;
  const categories = Object.keys(diffs[0]?.categories ?? {});
  const show = (v: unknown, present: boolean, from?: string) => (
    <td>
      {present ? cellText(v) : <span class="muted">(absent)</span>}
      {from && <div class="origin">{from}</div>}
    </td>
  );
  return (
    <article class="compare">
      <table class="diff-table">
        <tr>
          <th>key</th>
          {props.runs.map((r) => (
            <th>
              <a href={hrefOf('run', { run: r })}>{r}</a>
            </th>
          ))}
        </tr>
        {categories.map((cat) => {
          const keys = [...new Set(diffs.flatMap((d) => (d.categories[cat] ?? []).map((e) => e.key)))];
          if (!keys.length) return null;
          return [
            <tr class="category">
              <th colSpan={props.runs.length + 1}>{cat}</th>
            </tr>,
            ...keys.map((key) => {
              const entries = diffs.map((d) => (d.categories[cat] ?? []).find((e) => e.key === key));
              const firstEntry = entries.find(Boolean);
              return (
                <tr data-key={key}>
                  <td>{key}</td>
                  {show(firstEntry?.a, firstEntry ? 'a' in firstEntry : false, firstEntry?.aFrom)}
                  {entries.map((e) => (e ? show(e.b, 'b' in e, e.bFrom) : <td class="muted">same as first</td>))}
                </tr>
              );
            }),
          ];
        })}
      </table>
      <Curves runs={props.runs} params={props.params} />
    </article>
  );
}
