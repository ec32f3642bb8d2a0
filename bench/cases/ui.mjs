/**
 * `trellis ui` over 10,000 synthetic runs (bench/lib/synth-runs.mjs), in headless Chromium:
 * - first paint: from navigation to the first frame painted after the runs table (sorted by the
 *   objective, val_loss.min) and the curves of 100 selected runs with 1,000 points each are in
 *   the page, with the index warm; baseline: the same page over an empty store, so the ratio is
 *   what 10,000 runs and 100 curves add to the page's fixed cost;
 * - a run page: navigation to its first frame with records and curves;
 * - live: from a line appended to a running run's metrics.jsonl to the chart showing it;
 * - the server's resident memory after all of it.
 * Without a Chromium on PATH the rows say "not available".
 */
import { spawn } from 'node:child_process';
import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { accessSync, constants } from 'node:fs';
import { generateRuns } from '../lib/synth-runs.mjs';
import { CLI, NODE, median, removeDir, row, tempDir } from '../lib/util.mjs';

export const title = 'UI (trellis ui in headless Chromium)';
const RUNS = 10_000;
const CURVES = 100;
const POINTS = 1000;

function onPath(name) {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    try {
      accessSync(join(dir, name), constants.X_OK);
      return join(dir, name);
    } catch {
      // not here
    }
  }
  return undefined;
}

const step = (what) => process.stderr.write(` [${what}]`);

const percentile = (values, p) => {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
};

function startUi(cwd, roots) {
  const child = spawn(NODE, [CLI, 'ui', ...roots], { cwd, env: { ...process.env, NO_COLOR: '1' } });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      const m = /trellis ui: (\S+)/.exec(out);
      if (m) resolve({ child, url: m[1] });
    });
    child.once('exit', (code) => reject(new Error(`trellis ui exited ${code}`)));
  });
}

/** Runs with 1,000 points of val_loss and train_loss each (the synthetic ones log 10–50). */
function longMetrics(dir, seed) {
  const lines = [];
  for (let step = 0; step < POINTS; step++) {
    const decay = Math.exp(-step / (150 + seed));
    lines.push(JSON.stringify({ step, time: 1_790_000_000 + step, train_loss: 0.1 + decay + 0.01 * Math.sin(step + seed), val_loss: 0.12 + decay }));
  }
  writeFileSync(join(dir, '.trellis', 'metrics.jsonl'), `${lines.join('\n')}\n`);
}

/** ms from navigation to the first frame painted once `ready` holds in the page. */
async function timeToPaint(page, url, ready, arg) {
  await page.goto('about:blank');
  await page.goto(url, { waitUntil: 'commit' });
  await page.waitForFunction(ready, arg, { timeout: 60_000, polling: 'raf' });
  return page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => resolve(performance.now()))));
}

const tableAndCharts = (n) => document.querySelectorAll('.tbody .tr[data-key]').length > 0 && document.querySelectorAll('figure.chart canvas').length >= n;

export async function run({ reps }) {
  const chromiumPath = onPath('chromium') ?? onPath('chromium-browser');
  const ids = ['ui.first-paint', 'ui.first-paint.p95', 'ui.run-page', 'ui.live', 'ui.memory'];
  if (!chromiumPath) return ids.map((id) => row({ id, name: id, pass: null, note: 'not available: no chromium on PATH' }));
  const { chromium } = await import('playwright-core');
  const tmp = tempDir('ui');
  const root = join(tmp, 'project');
  const empty = join(tmp, 'empty');
  mkdirSync(join(empty, 'outputs'), { recursive: true });
  let servers = [];
  let browser;
  try {
    generateRuns(root, RUNS);
    step('generated');
    const big = await startUi(root, ['.']);
    const blank = await startUi(empty, ['outputs']);
    servers = [big, blank];
    const token = new URL(big.url).searchParams.get('token');
    const api = async (path) => (await fetch(`${new URL(big.url).origin}${path}${path.includes('?') ? '&' : '?'}token=${token}`)).json();
    // The index warm, and the 100 best runs by the objective: those the page selects.
    const best = await api(`/api/runs?sort=val_loss.min&limit=${CURVES}`);
    if (best.total !== RUNS) throw new Error(`the UI lists ${best.total} runs, expected ${RUNS}`);
    const keys = best.rows.map((r) => r.key);
    keys.forEach((key, i) => longMetrics(join(root, key), i));
    step('servers up');
    const hash = `#runs?sort=val_loss.min&sel=${keys.join(',')}`;

    browser = await chromium.launch({ executablePath: chromiumPath, args: ['--no-sandbox'] });
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    // Two charts (train_loss, val_loss), 100 curves of 1,000 points each.
    const samples = [];
    const baseline = [];
    await timeToPaint(page, big.url + hash, tableAndCharts, 2); // warm the server's caches
    for (let i = 0; i < Math.max(5, reps); i++) {
      baseline.push(await timeToPaint(page, blank.url, () => document.querySelector('#count')?.textContent === '0 of 0 runs'));
      samples.push(await timeToPaint(page, big.url + hash, tableAndCharts, 2));
    }
    step('first paint');
    const base = median(baseline);
    const firstPaint = median(samples);
    const p95 = percentile(samples, 95);

    const runPage = [];
    for (let i = 0; i < Math.max(5, reps); i++) {
      runPage.push(
        await timeToPaint(
          page,
          `${big.url}#run?run=${encodeURIComponent(keys[i % keys.length])}`,
          () => document.querySelector('.run-page figure.chart canvas') !== null,
        ),
      );
    }

    step('run page');
    // A running run: the page polls its curves; time from the append to the new point drawn.
    const live = join(root, 'live');
    mkdirSync(join(live, '.trellis'), { recursive: true });
    const now = new Date().toISOString();
    writeFileSync(
      join(live, '.trellis', 'run.json'),
      JSON.stringify({
        id: 'live',
        name: 'live',
        status: 'running',
        start: now,
        heartbeat: now,
        heartbeat_interval_s: 3600,
        overrides: [],
        tags: [],
        notes: [],
      }),
    );
    writeFileSync(join(live, '.trellis', 'resolved.yaml'), readFileSync(join(root, keys[0], '.trellis', 'resolved.yaml')));
    writeFileSync(join(live, '.trellis', 'metrics.jsonl'), '{"step":0,"live":1}\n');
    await page.goto('about:blank');
    await page.goto(`${big.url}#runs?sel=live`);
    await page.waitForSelector('figure.chart[data-metric="live"] .points', { timeout: 60_000 });
    const liveSamples = [];
    for (let step = 1; step <= 5; step++) {
      const t0 = Date.now();
      appendFileSync(join(live, '.trellis', 'metrics.jsonl'), `{"step":${step},"live":${1 / (step + 1)}}\n`);
      await page.waitForSelector(`figure.chart[data-metric="live"] .points:text-is("${step + 1} points")`, { timeout: 60_000 });
      liveSamples.push(Date.now() - t0);
    }
    const rssMB = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${big.child.pid}/status`, 'utf8'))?.[1] ?? Number.NaN) / 1024;
    const common = { unit: 'ms', baseline: base, baselineName: 'the same page over an empty store' };
    return [
      row({
        id: 'ui.first-paint',
        name: `first paint: ${RUNS.toLocaleString('en-US')} runs sorted by the objective, ${CURVES} curves × ${POINTS.toLocaleString('en-US')} points, median`,
        value: firstPaint,
        ...common,
        target: '≤ 500 ms',
        pass: firstPaint <= 500,
        samples,
      }),
      row({ id: 'ui.first-paint.p95', name: 'first paint, p95', value: p95, ...common, target: '≤ 1 s', pass: p95 <= 1000 }),
      row({
        id: 'ui.run-page',
        name: 'open a run page (records and curves painted), median',
        value: median(runPage),
        ...common,
        target: '≤ 200 ms',
        pass: median(runPage) <= 200,
        samples: runPage,
      }),
      row({
        id: 'ui.live',
        name: "a running run's new point drawn after it reaches metrics.jsonl, median of 5",
        value: median(liveSamples),
        unit: 'ms',
        target: '≤ 2 s',
        pass: median(liveSamples) <= 2000,
        samples: liveSamples,
      }),
      row({
        id: 'ui.memory',
        name: `server resident memory after all of the above (${RUNS.toLocaleString('en-US')} runs)`,
        value: rssMB,
        unit: 'MB',
        target: '< 200 MB',
        pass: rssMB < 200,
      }),
    ];
  } finally {
    await browser?.close();
    for (const s of servers) s.child.kill('SIGINT');
    removeDir(tmp);
  }
}
