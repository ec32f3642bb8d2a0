import 'uplot/dist/uPlot.min.css';
import './style.css';
import { render } from 'preact';
import { useState } from 'preact/hooks';
import { prefetch, type UiRow } from './api.js';
import { Compare } from './compare.js';
import { Curves, curvesQuery } from './curves.js';
import { hrefOf, parseHash, selectionOf, useRoute } from './route.js';
import { RunPage } from './run-page.js';
import { RunsTable, rowsQuery } from './runs-table.js';
import { SweepView } from './sweep.js';

/** Curves show the selected runs, or the first ten of the table when none is selected. */
const DEFAULT_CURVES = 10;

function RunsView(props: { params: URLSearchParams }) {
  const [rows, setRows] = useState<UiRow[]>([]);
  const selected = selectionOf(props.params);
  const runs = selected.length ? selected : rows.slice(0, DEFAULT_CURVES).map((r) => r.key);
  return (
    <>
      <RunsTable params={props.params} onRows={setRows} />
      <Curves runs={runs} params={props.params} />
    </>
  );
}

function App() {
  const { view, params } = useRoute();
  const sel = params.get('sel') ?? undefined;
  const nav = [
    ['runs', 'Runs'],
    ['compare', 'Compare'],
    ['sweep', 'Sweeps'],
  ];
  return (
    <>
      <header>
        <strong>trellis</strong>
        {nav.map(([v, label]) => (
          <a class={view === v ? 'active' : ''} href={hrefOf(v!, { sel })}>
            {label}
          </a>
        ))}
      </header>
      <main>
        {view === 'runs' && <RunsView params={params} />}
        {view === 'run' && <RunPage run={params.get('run') ?? ''} params={params} />}
        {view === 'compare' && <Compare runs={selectionOf(params)} params={params} />}
        {view === 'sweep' && <SweepView params={params} />}
      </main>
    </>
  );
}

// What the opened view shows first is asked for before anything renders, and in parallel: the
// runs view's first rows and the curves of a selection named in the URL; a run page's records
// and curves.
const opened = parseHash(location.hash);
if (opened.view === 'runs') {
  prefetch('/api/runs', rowsQuery(opened.params));
  const selected = selectionOf(opened.params);
  if (selected.length) prefetch('/api/curves', curvesQuery(opened.params, selected));
} else if (opened.view === 'run' && opened.params.get('run')) {
  const run = opened.params.get('run')!;
  prefetch('/api/run', { run });
  prefetch('/api/curves', curvesQuery(opened.params, [run]));
}

render(<App />, document.getElementById('app')!);
