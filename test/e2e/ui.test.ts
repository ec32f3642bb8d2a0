/**
 * `trellis ui` in a real browser (the system's Chromium through playwright-core), over the
 * demo's runs: every view, driven as a user would. The screenshots in examples/screenshots/
 * (shown in the README) are made here, so they never go stale.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adaptiveStore, demoStore, launchBrowser, metricLines, startUi } from '../helpers/browser.js';
import { repoRoot } from '../helpers/run-cli.js';
import { exited, jsonIf, waitFor } from '../helpers/wait.js';
import { tmpDir } from '../helpers/tmp-dir.js';
import { ageTree, writeRun } from '../unit/store/synthetic-runs.js';

const SHOTS = join(repoRoot, 'examples', 'screenshots');
let store: ReturnType<typeof demoStore>;
let ui: { child: ChildProcess; url: string; stderr: () => string };
let browser: Browser;
let page: Page;

beforeAll(async () => {
  store = demoStore();
  ui = await startUi(store.cwd);
  browser = await launchBrowser();
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  mkdirSync(SHOTS, { recursive: true });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  if (ui && ui.child.exitCode === null) ui.child.kill('SIGKILL');
  store?.remove();
});

const open = async (hash = '') => {
  await page.goto(`${ui.url}${hash}`);
  await page.waitForSelector(
    hash.startsWith('#run?') ? '.run-page' : hash.startsWith('#compare') ? '.compare' : hash.startsWith('#sweep') ? '.sweep' : '#count',
  );
};
const rowKeys = () => page.$$eval('.tbody .tr', (rows) => rows.map((r) => (r as HTMLElement).dataset.key ?? ''));
const shot = (name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
const sweepJobs = () =>
  (JSON.parse(readFileSync(join(store.cwd, store.sweepDir, '.trellis', 'sweep.json'), 'utf8')) as { jobs: Array<{ num: number; objective: number }> }).jobs;

describe('trellis ui: runs table', () => {
  it('lists every run, with the keys that vary as columns, and the differences toggle', async () => {
    await open();
    await page.waitForSelector('.tbody .tr[data-key]');
    expect(await page.textContent('#count')).toBe('7 of 7 runs');
    const headers = () => page.$$eval('.th', (hs) => hs.map((h) => h.textContent?.replace(/ [▲▼]$/, '') ?? ''));
    const varying = await headers();
    expect(varying).toEqual(expect.arrayContaining(['optimizer.name', 'seed', 'trainer.epochs', 'val_loss.min']));
    expect(varying).not.toContain('model.name'); // linear in every run
    await page.click('#diff-only');
    await page.waitForFunction(() => location.hash.includes('all=1'));
    expect(await headers()).toContain('model.name');
    await page.click('#diff-only');
    await page.waitForFunction(() => !location.hash.includes('all=1'));
    expect(await headers()).not.toContain('model.name');
    await shot('runs');
  });

  it.each([
    { name: 'a syntax error, with a caret under it', query: 'seed <', text: 'Expected a value, got the end of the query', caret: true },
    { name: 'a misspelt key, with a did-you-mean', query: 'optimizr.lr < 1', text: "did you mean 'optimizer.lr'?", caret: false },
    { name: 'a misspelt status, with a did-you-mean', query: 'status = runing', text: "did you mean 'running'?", caret: true },
  ])('shows $name inline', async ({ query, text, caret }) => {
    await open();
    await page.fill('#query', query);
    await page.press('#query', 'Enter');
    await page.waitForSelector('.problem');
    expect(await page.textContent('.problem')).toContain(text);
    expect((await page.$('.problem .caret')) !== null).toBe(caret);
  });

  it('filters with the query language of runs list', async () => {
    await open(`#runs?q=${encodeURIComponent('optimizer.name = adam')}`);
    await page.waitForFunction(() => document.querySelector('#count')?.textContent === '2 of 7 runs');
    expect((await rowKeys()).every((k) => k.startsWith(store.sweepDir))).toBe(true);
  });

  it('sorts on a column, ascending then descending, missing values last', async () => {
    await open();
    await page.click('.th[data-sort="config.seed"]');
    await page.waitForFunction(() => location.hash.includes('sort=config.seed'));
    await page.waitForSelector('.th[data-sort="config.seed"]:has-text("▲")');
    const seedsOf = async () => {
      const keys = await rowKeys();
      return keys.map((k) => (k.startsWith(store.sweepDir) ? (Number(k.slice(-1)) % 2 === 0 ? 1 : 2) : 42));
    };
    // jobs 0 and 2 have seed 1, jobs 1 and 3 seed 2, the demo's single and hand-made runs 42
    expect(await seedsOf()).toEqual([1, 1, 2, 2, 42, 42, 42]);
    await page.click('.th[data-sort="config.seed"]');
    await page.waitForSelector('.th[data-sort="config.seed"]:has-text("▼")');
    expect(await seedsOf()).toEqual([42, 42, 42, 2, 2, 1, 1]);
  });

  it('keeps the selection in the URL', async () => {
    await open();
    const key = `${store.sweepDir}/1`;
    await page.click(`.tr[data-key="${key}"] input[type=checkbox]`);
    await page.waitForFunction((k) => decodeURIComponent(location.hash).includes(`sel=${k}`), key);
    await page.reload();
    await page.waitForSelector(`.tr[data-key="${key}"].selected`);
    expect(await page.isChecked(`.tr[data-key="${key}"] input[type=checkbox]`)).toBe(true);
  });
});

describe('trellis ui: curves', () => {
  it('draws one chart per metric of the selected runs', async () => {
    await open(`#runs?sel=${store.sweepDir}/0,${store.sweepDir}/2`);
    await page.waitForSelector('figure.chart[data-metric="val_loss"]');
    const metrics = await page.$$eval('figure.chart', (fs) => fs.map((f) => (f as HTMLElement).dataset.metric));
    expect(metrics.sort()).toEqual(['train_acc', 'train_loss', 'val_acc', 'val_loss']);
    await shot('curves');
  });

  it('buckets a long series and keeps its min and max (the spikes)', async () => {
    await open('#runs?sel=outputs/long&smooth=0.9');
    await page.waitForSelector('figure.chart[data-metric="wave"]');
    const fig = await page.$('figure.chart[data-metric="wave"]');
    expect(await fig!.getAttribute('data-max')).toBe(String(Math.sin(1234 / 50) + 100));
    expect(await fig!.getAttribute('data-min')).toBe(String(Math.sin(4321 / 50) - 50));
    expect(await page.textContent('figure.chart[data-metric="wave"] .points')).toBe('5000 points, bucketed: band = min…max');
  });

  it('shows new points of a running run', async () => {
    await open('#runs?sel=outputs/live');
    await page.waitForSelector('figure.chart[data-metric="live_loss"] .points:has-text("3 points")');
    appendFileSync(join(store.cwd, 'outputs', 'live', '.trellis', 'metrics.jsonl'), metricLines([{ live_loss: 1.2 }, { live_loss: 1.1 }], 3));
    await page.waitForSelector('figure.chart[data-metric="live_loss"] .points:has-text("5 points")');
    expect(await page.getAttribute('figure.chart[data-metric="live_loss"]', 'data-min')).toBe('1.1');
  });

  it('follows a run that started after the server last read the store', async () => {
    await open(); // the server reads the store: the run below is not in it
    store.addRun('late', 'running', metricLines([{ late_loss: 2 }]));
    // The table shows no running run, so only the curves can tell that this one runs.
    await open(`#runs?q=${encodeURIComponent('status = completed')}&sel=outputs/late`);
    await page.waitForSelector('figure.chart[data-metric="late_loss"] .points:has-text("1 points")');
    appendFileSync(join(store.cwd, 'outputs', 'late', '.trellis', 'metrics.jsonl'), metricLines([{ late_loss: 1 }], 1));
    await page.waitForSelector('figure.chart[data-metric="late_loss"] .points:has-text("2 points")');
  });
});

describe('trellis ui: run page, tag and note', () => {
  it('shows the config with origins, files, the log and the rerun command', async () => {
    await open(`#run?run=${store.single}`);
    await page.waitForSelector('.run-page');
    const config = await page.$$eval('table.config tr', (rows) => rows.map((r) => [...r.querySelectorAll('td')].map((td) => td.textContent)));
    expect(config).toContainEqual(['trainer.epochs', '40', '', "override 'trainer.epochs=40'"]);
    expect(config).toContainEqual(['optimizer.lr', '0.1', '', 'conf/optimizer/sgd.yaml:2:5']);
    expect(await page.textContent('#rerun-command')).toBe(`trellis rerun ${store.single}`);
    expect(await page.textContent('#log')).toContain('epoch 40:');
    expect(await page.$$eval('ul.files a', (as) => as.map((a) => a.textContent))).toContain('model.json');
    await shot('run-page');
  });

  it('tags and notes the run through the store API', async () => {
    await open(`#run?run=${store.single}`);
    await page.waitForSelector('#tag-input');
    await page.fill('#tag-input', 'baseline');
    await page.click('#tag-add');
    await page.waitForSelector('.tag:has-text("baseline")');
    await page.fill('#note-input', 'first look');
    await page.click('#note-add');
    await page.waitForSelector('ul.notes li:has-text("first look")');
    const record = await waitFor(
      () => jsonIf<{ tags: string[]; notes: string[] }>(join(store.cwd, store.single, '.trellis', 'run.json'), (r) => r.notes.length > 0),
      'the note',
    );
    expect(record).toMatchObject({ tags: ['baseline'], notes: ['first look'] });
  });
});

describe('trellis ui: compare and sweeps', () => {
  it('compares runs as runs diff does: differences first, with where each value came from', async () => {
    await open(`#compare?sel=${store.sweepDir}/0,${store.sweepDir}/3`);
    await page.waitForSelector('.diff-table tr[data-key="optimizer.lr"]');
    const cells = await page.$$eval('.diff-table tr[data-key="optimizer.lr"] td', (tds) => tds.map((td) => td.textContent));
    expect(cells).toEqual(['optimizer.lr', '0.01conf/optimizer/adam.yaml:2:5', '0.1conf/optimizer/sgd.yaml:2:5']);
    await shot('compare');
  });

  it('shows a sweep: objective per trial, parallel coordinates, brushing filters the jobs', async () => {
    await open(`#sweep?dir=${store.sweepDir}`);
    await page.waitForSelector('#jobs tr[data-num]');
    expect(await page.$$eval('.objective circle', (cs) => cs.length)).toBe(4);
    expect(await page.$$eval('.parcoords .line', (ls) => ls.length)).toBe(4);
    // Brush the lower fifth of the objective axis: only the jobs with the lowest objectives stay.
    const box = (await (await page.$('.axis[data-axis="objective"] .hit'))!.boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height - 1);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width / 2, box.y + box.height * 0.8, { steps: 4 });
    await page.mouse.up();
    const jobs = sweepJobs();
    const values = jobs.map((j) => j.objective);
    const [lo, hi] = [Math.min(...values), Math.max(...values)];
    const kept = jobs.filter((j) => (j.objective - lo) / (hi - lo) <= 0.2 + 0.01).map((j) => String(j.num));
    await page.waitForFunction((n) => document.querySelectorAll('#jobs tr[data-num]').length === n, kept.length);
    expect(await page.$$eval('#jobs tr[data-num]', (rs) => rs.map((r) => (r as HTMLElement).dataset.num))).toEqual(kept);
    await shot('sweep');
  });
});

describe('trellis ui: adaptive sweeps', () => {
  let adaptive: ReturnType<typeof adaptiveStore>;
  let server: Awaited<ReturnType<typeof startUi>>;
  beforeAll(async () => {
    adaptive = adaptiveStore();
    server = await startUi(adaptive.cwd);
  }, 120_000);
  afterAll(() => {
    if (server && server.child.exitCode === null) server.child.kill('SIGKILL');
    adaptive?.remove();
  });
  interface SweepJob {
    num: number;
    status: string;
    dir: string;
    pruned?: { step: number; reason: string };
    pbt?: { member: number; generation: number; restore: number | null; by: string };
  }
  const jobsOf = (dir: string) => (JSON.parse(readFileSync(join(adaptive.cwd, dir, '.trellis', 'sweep.json'), 'utf8')) as { jobs: SweepJob[] }).jobs;
  const openSweep = async (dir: string) => {
    await page.goto(`${server.url}#sweep?dir=${dir}`);
    await page.waitForSelector('#jobs tr[data-num]');
  };

  it("draws PBT's lineage: a dot per segment, a line from the checkpoint it started from, copies in orange", async () => {
    await openSweep(adaptive.pbtDir);
    const jobs = jobsOf(adaptive.pbtDir);
    expect(jobs).toHaveLength(9);
    const dots = await page.$$eval('.lineage circle.segment', (cs) => cs.map((c) => Number((c as SVGElement).dataset.num)));
    expect(dots.sort((a, b) => a - b)).toEqual(jobs.map((j) => j.num));
    const edges = await page.$$eval('.lineage line.edge', (ls) =>
      ls.map((l) => ({ from: Number((l as SVGElement).dataset.from), to: Number((l as SVGElement).dataset.to), exploit: l.classList.contains('exploit') })),
    );
    const expected = jobs.filter((j) => j.pbt!.restore !== null).map((j) => ({ from: j.pbt!.restore!, to: j.num, exploit: j.pbt!.by === 'exploit' }));
    expect(expected.some((e) => e.exploit)).toBe(true); // the sweep copied a member at least once
    expect(edges.sort((a, b) => a.to - b.to)).toEqual(expected.sort((a, b) => a.to - b.to));
    // Parallel coordinates over what was searched (lr) and the objective, not trellis's own overrides.
    expect(await page.$$eval('.parcoords .axis', (as) => as.map((a) => (a as SVGElement).dataset.axis))).toEqual(['lr', 'objective']);
    // The table names each segment's member, generation and origin.
    const copied = jobs.find((j) => j.pbt!.by === 'exploit')!;
    expect(await page.textContent(`#jobs tr[data-num="${copied.num}"] .origin`)).toMatch(/^copied m\d #\d+$/);
    // A dot opens its run.
    await page.click(`.lineage circle.segment[data-num="${copied.num}"]`);
    await page.waitForSelector('.run-page');
    expect(decodeURIComponent(await page.evaluate(() => location.hash))).toContain(`${adaptive.pbtDir}/${copied.dir}`);
    await openSweep(adaptive.pbtDir);
    await shot('sweep-pbt');
  });

  it('marks pruned trials in the job table and the objective chart, and never as the best', async () => {
    await openSweep(adaptive.prunedDir);
    const jobs = jobsOf(adaptive.prunedDir);
    const pruned = jobs.filter((j) => j.status === 'pruned');
    expect(pruned.map((j) => j.num)).toEqual([2]);
    const cell = `#jobs tr[data-num="2"] td.status`;
    expect(await page.textContent(cell)).toBe(`pruned at step ${pruned[0]!.pruned!.step}`);
    expect(await page.getAttribute(cell, 'title')).toBe(pruned[0]!.pruned!.reason);
    expect(await page.$$eval('.objective circle.pruned', (cs) => cs.map((c) => (c as SVGElement).dataset.num))).toEqual(['2']);
    // The best-so-far line has a point per finished trial only.
    const bestPoints = await page.$eval('.objective .best', (l) => l.getAttribute('points')!.trim().split(' ').length);
    expect(bestPoints).toBe(jobs.filter((j) => j.status !== 'pruned').length);
  });
});

describe('trellis ui: the command', () => {
  it('brings the index of its roots up to date before it prints its URL (in a worker, whose garbage goes with it)', async () => {
    const root = tmpDir();
    writeRun(join(root, 'outputs/a'), { id: 'a' });
    writeRun(join(root, 'outputs/b'), { id: 'b' });
    ageTree(root);
    const fresh = await startUi(root);
    try {
      // The server itself reads only the runs' part at start; the table's parts come from the worker.
      for (const part of ['runs.json', 'summaries.json', 'configs.json']) expect(existsSync(join(root, 'outputs/.trellis-index', part)), part).toBe(true);
      const rows = (await (await fetch(fresh.url.replace('/?', '/api/runs?'))).json()) as { rows: Array<{ id: string; status: string }> };
      expect(rows.rows.map((r) => [r.id, r.status]).sort()).toEqual([
        ['a', 'completed'],
        ['b', 'completed'],
      ]);
    } finally {
      fresh.child.kill('SIGINT');
      await exited(fresh.child);
    }
  });

  it('stops cleanly on Ctrl-C', async () => {
    ui.child.kill('SIGINT');
    expect(await exited(ui.child)).toBe(0);
    expect(ui.stderr()).toContain('trellis ui stopped (SIGINT)');
  });
});
