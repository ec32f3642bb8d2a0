import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { getJson, type QueryProblem, type RunsPage, type UiRow } from './api.js';
import { cellText, durationText, timeText } from './format.js';
import { hrefOf, selectionOf, setParams } from './route.js';

const ROW_HEIGHT = 26;
const PAGE = 200;
const VIEW_ROWS = 18;

interface Column {
  title: string;
  /** The sort key, in the query language of `trellis runs list --sort`. */
  sort: string;
  get: (row: UiRow) => unknown;
  width: number;
}

const BASE: Column[] = [
  { title: 'status', sort: 'status', get: (r) => r.status, width: 92 },
  { title: 'run', sort: 'dir', get: (r) => r.key, width: 230 },
  { title: 'tags', sort: 'tags', get: (r) => r.tags.join(', '), width: 90 },
  { title: 'started', sort: 'started', get: (r) => timeText(r.started), width: 150 },
  { title: 'duration', sort: 'duration', get: (r) => durationText(r.duration_s), width: 72 },
];

/** The request for rows from `page` (of PAGE rows) of the table the URL shows. */
export function rowsQuery(params: URLSearchParams, page = 0): Record<string, string | number> {
  return { q: params.get('q') ?? '', sort: params.get('sort') ?? '-started', offset: page * PAGE, limit: PAGE };
}

/** The query box with its problems under it, at the column they point at. */
function QueryBox(props: { query: string; problems: QueryProblem[] }) {
  const [text, setText] = useState(props.query);
  useEffect(() => setText(props.query), [props.query]);
  return (
    <div class="query">
      <input
        id="query"
        type="search"
        spellcheck={false}
        placeholder="query, e.g. optimizer.lr < 0.05 and status = completed"
        value={text}
        onInput={(e) => setText((e.target as HTMLInputElement).value)}
        onKeyDown={(e) => e.key === 'Enter' && setParams({ q: text })}
        onBlur={() => text !== props.query && setParams({ q: text })}
      />
      {props.problems.map((p) => (
        <div class="problem" data-code={p.code}>
          {p.col !== null && (
            <pre class="caret">
              {props.query}
              {'\n'}
              {' '.repeat(Math.max(0, p.col - 1))}
              {'^'.repeat(Math.max(1, p.length ?? 1))}
            </pre>
          )}
          <span class="message">{p.message}</span>
          {p.hint && <span class="hint"> — {p.hint}</span>}
        </div>
      ))}
    </div>
  );
}

/**
 * The runs table: the query, sort and selection come from the URL; rows are fetched a page at a
 * time as they scroll into view, and only the rows in view are in the DOM (10,000 rows scroll
 * as smoothly as 10).
 */
export function RunsTable(props: { params: URLSearchParams; onRows: (rows: UiRow[]) => void }) {
  const query = props.params.get('q') ?? '';
  const sort = props.params.get('sort') ?? '-started';
  const allKeys = props.params.get('all') === '1';
  const selected = new Set(selectionOf(props.params));
  const [first, setFirst] = useState<RunsPage | null>(null);
  const [pages, setPages] = useState<Map<number, UiRow[]>>(new Map());
  const [scroll, setScroll] = useState(0);
  const loading = useRef(new Set<number>());
  const generation = useRef(0);

  const load = (page: number, gen: number) => {
    if (loading.current.has(page)) return;
    loading.current.add(page);
    getJson<RunsPage>('/api/runs', rowsQuery(props.params, page))
      .then((res) => {
        if (gen !== generation.current) return;
        if (page === 0) setFirst(res);
        setPages((old) => new Map(old).set(page, res.rows));
      })
      .catch((e: Error) => setFirst({ total: 0, matched: 0, offset: 0, rows: [], keys: [], varying: [], metrics: [], problems: [problemOf(e)] }))
      .finally(() => loading.current.delete(page));
  };

  useEffect(() => {
    const gen = ++generation.current;
    loading.current.clear();
    setPages(new Map());
    load(0, gen);
  }, [query, sort]);

  // Running runs change: refresh the pages in view every 2 s while one is shown.
  const running = [...pages.values()].some((rows) => rows.some((r) => r.status === 'running'));
  useEffect(() => {
    if (!running) return;
    const timer = setInterval(() => {
      const gen = generation.current;
      for (const page of pages.keys()) {
        loading.current.delete(page);
        load(page, gen);
      }
    }, 2000);
    return () => clearInterval(timer);
  }, [running, query, sort, pages]);

  const rows0 = pages.get(0);
  useEffect(() => props.onRows(rows0 ?? []), [rows0]);

  const columns = useMemo(() => {
    if (!first) return BASE;
    const keys = allKeys ? first.keys : first.varying;
    const config = keys.map((k): Column => ({ title: k, sort: `config.${k}`, get: (r) => r.config[k], width: 110 }));
    const metrics = first.metrics.flatMap((m) =>
      (['last', 'min', 'max'] as const).map((stat): Column => ({
        title: `${m}.${stat}`,
        sort: `metric.${m}.${stat}`,
        get: (r) => r.metrics[m]?.[stat],
        width: 100,
      })),
    );
    return [...BASE, ...config, ...metrics];
  }, [first, allKeys]);

  const matched = first?.matched ?? 0;
  const from = Math.max(0, Math.floor(scroll / ROW_HEIGHT) - 5);
  const to = Math.min(matched, from + VIEW_ROWS + 10);
  useEffect(() => {
    for (let p = Math.floor(from / PAGE); p <= Math.floor(Math.max(from, to - 1) / PAGE); p++) if (!pages.has(p)) load(p, generation.current);
  }, [from, to, pages]);

  const rowAt = (i: number) => pages.get(Math.floor(i / PAGE))?.[i % PAGE];
  const toggle = (key: string) => {
    const next = new Set(selected);
    if (next.has(key)) next.delete(key);
    else next.add(key);
    setParams({ sel: [...next].join(',') });
  };
  const sortBy = (c: Column) => setParams({ sort: sort === c.sort ? `-${c.sort}` : c.sort });
  const sortMark = (c: Column) => (sort === c.sort ? ' ▲' : sort === `-${c.sort}` ? ' ▼' : '');
  const width = 28 + columns.reduce((s, c) => s + c.width, 0);

  const visible = [];
  for (let i = from; i < to; i++) {
    const row = rowAt(i);
    visible.push(
      <div
        class={`tr${row && selected.has(row.key) ? ' selected' : ''}`}
        style={{ top: `${i * ROW_HEIGHT}px`, width: `${width}px` }}
        data-row={i}
        data-key={row?.key}
      >
        <span class="td check" style={{ width: '28px' }}>
          {row && <input type="checkbox" checked={selected.has(row.key)} onChange={() => toggle(row.key)} aria-label={`select ${row.key}`} />}
        </span>
        {columns.map((c) => {
          if (!row) return <span class="td" style={{ width: `${c.width}px` }} />;
          const v = c.get(row);
          if (c.title === 'status')
            return (
              <span class={`td status ${row.status}`} style={{ width: `${c.width}px` }} title={row.reason ?? ''}>
                {row.status === 'running' ? '● running' : row.status === 'crashed' ? '⚠ crashed' : row.status}
              </span>
            );
          if (c.title === 'run')
            return (
              <span class="td" style={{ width: `${c.width}px` }}>
                <a href={hrefOf('run', { run: row.key })} title={row.key}>
                  {row.key}
                </a>
              </span>
            );
          const text = cellText(v);
          return (
            <span class={`td${typeof v === 'number' ? ' num' : ''}`} style={{ width: `${c.width}px` }} title={text}>
              {text}
            </span>
          );
        })}
      </div>,
    );
  }

  return (
    <section class="runs">
      <QueryBox query={query} problems={first?.problems ?? []} />
      <div class="toolbar">
        <span id="count">
          {matched} of {first?.total ?? 0} runs
        </span>
        <label>
          <input id="diff-only" type="checkbox" checked={!allKeys} onChange={() => setParams({ all: allKeys ? undefined : '1' })} /> differences only
        </label>
        <span>{selected.size} selected</span>
        {selected.size > 0 && <button onClick={() => setParams({ sel: undefined })}>clear</button>}
        {selected.size >= 2 && (
          <a class="button" id="compare-link" href={hrefOf('compare', { sel: [...selected].join(',') })}>
            compare
          </a>
        )}
      </div>
      <div
        class="table"
        onScroll={(e) => setScroll((e.target as HTMLElement).scrollTop)}
        style={{ height: `${(Math.min(VIEW_ROWS, Math.max(matched, 4)) + 1) * ROW_HEIGHT + 2}px` }}
      >
        <div class="thead" style={{ width: `${width}px` }}>
          <span class="th" style={{ width: '28px' }} />
          {columns.map((c) => (
            <span class="th" style={{ width: `${c.width}px` }} onClick={() => sortBy(c)} data-sort={c.sort} title={`sort by ${c.sort}`}>
              {c.title}
              {sortMark(c)}
            </span>
          ))}
        </div>
        <div class="tbody" style={{ height: `${matched * ROW_HEIGHT}px`, width: `${width}px` }}>
          {visible}
        </div>
      </div>
    </section>
  );
}

function problemOf(e: Error & { code?: string; hint?: string | null }): QueryProblem {
  return { code: e.code ?? 'ERROR', message: e.message, hint: e.hint ?? null, col: null, length: null };
}
