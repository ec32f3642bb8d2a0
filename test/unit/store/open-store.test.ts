import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findRun } from '../../../src/store/find-run.js';
import { markRunChanged } from '../../../src/store/index-cache.js';
import { tagRun } from '../../../src/store/annotate-run.js';
import { openStore } from '../../../src/store/open-store.js';
import { parseColumns, queryRuns, runRow } from '../../../src/store/query-runs.js';
import { readYamlRecord } from '../../../src/store/read-yaml.js';
import { fromPlain, toPlain } from '../../../src/tree/node.js';
import { toYamlText } from '../../../src/tree/emit.js';
import { loadYaml } from '../../../src/yaml/load.js';
import { errorOf } from '../../helpers/errors.js';
import { tmpDir } from '../../helpers/tmp-dir.js';
import { ageTree, readIndexSections, writeRun } from './synthetic-runs.js';

describe('damaged run directories are listed, never crash a listing', () => {
  it.each([
    {
      name: 'run.json is not JSON',
      damage: (t: string) => writeFileSync(join(t, 'run.json'), '{"id": "x", '),
      status: 'unreadable',
      reason: 'run.json is not valid JSON',
    },
    { name: 'run.json is empty', damage: (t: string) => writeFileSync(join(t, 'run.json'), ''), status: 'unreadable', reason: 'run.json is empty' },
    {
      name: 'run.json has no status',
      damage: (t: string) => writeFileSync(join(t, 'run.json'), '{"id": "x"}'),
      status: 'unreadable',
      reason: 'run.json has no status',
    },
    {
      name: 'a finished run without summary.json',
      damage: (t: string) => renameSync(join(t, 'summary.json'), join(t, 'summary.old')),
      status: 'partial',
      reason: 'summary.json missing',
    },
    {
      name: 'summary.json torn',
      damage: (t: string) => writeFileSync(join(t, 'summary.json'), '{"metrics": {'),
      status: 'partial',
      reason: 'summary.json is not valid JSON',
    },
  ])('$name', ({ damage, status, reason }) => {
    const root = tmpDir();
    writeRun(join(root, 'outputs/a'), { id: 'good' });
    const bad = writeRun(join(root, 'outputs/b'), { id: 'bad' });
    damage(join(bad, '.trellis'));
    const store = openStore([], { cwd: root, index: false });
    const rows = queryRuns(store, '', { cwd: root, sort: 'dir' }).runs.map((r) => ({ dir: r.rel, status: r.status(), reason: r.reason() }));
    expect(rows).toEqual([
      { dir: 'a', status: 'completed', reason: null },
      { dir: 'b', status, reason },
    ]);
  });

  it('lists a records directory without run.json as a run that crashed at start, and walks into sweep directories', () => {
    const root = tmpDir();
    mkdirSync(join(root, 'outputs/empty/.trellis'), { recursive: true });
    mkdirSync(join(root, 'multirun/s/.trellis'), { recursive: true });
    writeFileSync(join(root, 'multirun/s/.trellis/sweep.json'), '{}');
    writeRun(join(root, 'multirun/s/0'), { id: 'job0', sweep: { dir: 'multirun/s', num: 0 } });
    const store = openStore([], { cwd: root, index: false });
    // Killed before it wrote run.json: starting for a few seconds (its records directory is new), crashed after.
    const later = new Date(Date.now() + 60_000);
    expect(store.runs.map((r) => [r.rel, r.status(), r.status(later), r.info?.error?.type ?? null]).sort()).toEqual([
      ['empty', 'running', 'crashed', 'crashed at start'],
      ['s/0', 'completed', 'completed', null],
    ]);
  });

  it.each([
    { roots: ['outputs', 'multirun'], dirs: ['multirun/s/0', 'outputs/a/r1', 'outputs/b/r2'] },
    { roots: ['outputs', 'outputs/a'], dirs: ['outputs/a/r1', 'outputs/b/r2'] },
    { roots: ['outputs/a', 'outputs'], dirs: ['outputs/a/r1', 'outputs/b/r2'] },
    { roots: ['outputs', 'outputs/'], dirs: ['outputs/a/r1', 'outputs/b/r2'] },
    { roots: ['outputs', 'outputs2'], dirs: ['outputs/a/r1', 'outputs/b/r2', 'outputs2/r3'] },
  ])('lists each run once, also when roots $roots overlap', ({ roots, dirs }) => {
    const root = tmpDir();
    for (const [i, rel] of ['outputs/a/r1', 'outputs/b/r2', 'outputs2/r3', 'multirun/s/0'].entries()) writeRun(join(root, rel), { id: `r${i}` });
    const store = openStore(roots, { cwd: root, index: false });
    expect(store.runs.map((r) => r.dir.slice(root.length + 1)).sort()).toEqual(dirs);
  });

  it('names a missing root', () => {
    const e = errorOf(() => openStore(['nope'], { cwd: tmpDir() }));
    expect(e.code).toBe('RUN_NOT_FOUND');
    expect(e.message).toBe('No such directory: nope');
  });
});

describe('the index is a cache keyed by the records directory', () => {
  /** A run whose files are a minute old, so the index may keep it (recent entries are not cached). */
  function agedRun(root: string, status = 'completed') {
    const dir = writeRun(join(root, 'outputs/2026-11-20/10-00-00'), { id: 'r1', tags: ['old'], status });
    const old = new Date(Date.now() - 60_000);
    for (const d of [join(dir, '.trellis'), dir, join(root, 'outputs/2026-11-20'), join(root, 'outputs')]) utimesSync(d, old, old);
    return dir;
  }
  const tagsOf = (root: string, index = true) => {
    const store = openStore([], { cwd: root, index });
    const tags = store.runs.map((r) => r.info?.tags);
    store.flush();
    return tags;
  };

  it('reads a running run again when a record is replaced (rename), and not otherwise', () => {
    const root = tmpDir();
    const dir = agedRun(root, 'running');
    expect(tagsOf(root)).toEqual([['old']]);
    expect(existsSync(join(root, 'outputs/.trellis-index/shards/2026-11-20/runs.json'))).toBe(true);
    // Rewritten in place with the directory's mtime put back: the index still answers…
    const runJson = join(dir, '.trellis/run.json');
    const before = statSync(join(dir, '.trellis'));
    writeFileSync(runJson, readFileSync(runJson, 'utf8').replace('"old"', '"in-place"'));
    utimesSync(join(dir, '.trellis'), before.atime, before.mtime);
    expect(tagsOf(root)).toEqual([['old']]);
    // …which --no-index bypasses,
    expect(tagsOf(root, false)).toEqual([['in-place']]);
    // and a record written the way trellis writes them (temp file + rename) is seen at once.
    writeFileSync(`${runJson}.tmp`, readFileSync(runJson, 'utf8').replace('"in-place"', '"renamed"'));
    renameSync(`${runJson}.tmp`, runJson);
    expect(tagsOf(root)).toEqual([['renamed']]);
  });

  /** The runs the index lists (its `rel` column); throws unless every line of it parses. */
  function indexedRuns(root: string): unknown {
    return readIndexSections(join(root, 'outputs/.trellis-index/shards/2026-11-20/runs.json')).rel;
  }

  it.each([
    { name: 'deleted', damage: (file: string) => rmSync(dirname(file), { recursive: true }) },
    { name: 'cut short', damage: (file: string) => writeFileSync(file, readFileSync(file, 'utf8').slice(0, -40)) },
    {
      name: 'of an older version',
      damage: (file: string) => writeFileSync(file, '{"version": 1, "dirs": {}, "runs": {"2026-11-20/10-00-00": ["1:2", "run", null, "gone"]}}'),
    },
    // The same length: the damage is found when the row is read, not by the file's size.
    { name: 'garbled in a row', damage: (file: string) => writeFileSync(file, readFileSync(file, 'utf8').replace('"old"', '{{{{{')) },
    { name: 'not ASCII', damage: (file: string) => writeFileSync(file, readFileSync(file, 'utf8').replace('"old"', '"öl"')) },
  ])('is rebuilt when it is $name', ({ damage }) => {
    const root = tmpDir();
    agedRun(root);
    tagsOf(root);
    expect(indexedRuns(root)).toEqual(['2026-11-20/10-00-00']);
    damage(join(root, 'outputs/.trellis-index/shards/2026-11-20/runs.json'));
    expect(tagsOf(root)).toEqual([['old']]);
    expect(indexedRuns(root)).toEqual(['2026-11-20/10-00-00']);
    expect(tagsOf(root)).toEqual([['old']]);
  });

  it('reads nothing from an index file replaced since it was opened: the run is read from its files', () => {
    const root = tmpDir();
    agedRun(root);
    tagsOf(root);
    const store = openStore([], { cwd: root });
    // Another writer's index, of the same length, lands by rename after this one was opened.
    const file = join(root, 'outputs/.trellis-index/shards/2026-11-20/runs.json');
    writeFileSync(`${file}.other`, readFileSync(file, 'utf8').replace('"old"', '"new"'));
    renameSync(`${file}.other`, file);
    expect(store.runs.map((r) => r.info?.tags)).toEqual([['old']]);
    expect(tagsOf(root)).toEqual([['new']]); // a fresh open trusts the file it opened (it is a cache)
  });

  it('tells a running run from a crashed one by the heartbeat it keeps, as the files do, without reading run.json', () => {
    const root = tmpDir();
    const now = new Date('2026-11-23T12:00:00.000Z');
    writeRun(join(root, 'outputs/alive'), { id: 'alive', status: 'running', end: null, heartbeat: '2026-11-23T11:59:58.000Z' });
    writeRun(join(root, 'outputs/gone'), { id: 'gone', status: 'running', end: null, heartbeat: '2026-11-23T11:00:00.000Z' });
    ageTree(root);
    const statuses = (index: boolean) => {
      const store = openStore([], { cwd: root, index, now });
      const seen = store.runs.map((r) => [r.rel, r.status(now)]).sort();
      store.flush();
      return seen;
    };
    const fromFiles = statuses(false);
    expect(fromFiles).toEqual([
      ['alive', 'running'],
      ['gone', 'crashed'],
    ]);
    expect(statuses(true)).toEqual(fromFiles);
    // Warm: the records are not read (a run.json made unreadable in place is not seen)…
    for (const rel of ['alive', 'gone']) {
      const file = join(root, 'outputs', rel, '.trellis/run.json');
      const stat = statSync(join(root, 'outputs', rel, '.trellis'));
      writeFileSync(file, '{');
      utimesSync(join(root, 'outputs', rel, '.trellis'), stat.atime, stat.mtime);
    }
    expect(statuses(true)).toEqual(fromFiles);
  });

  it('keeps a shard per directory at the top of a root: a new run rewrites its own shard only, and a shard goes with its directory', () => {
    const root = tmpDir();
    for (const rel of ['outputs/day1/a', 'outputs/day1/b', 'outputs/day2/c', 'outputs/loose']) writeRun(join(root, rel), { id: rel.split('/').pop()! });
    ageTree(root);
    const listed = () => {
      const store = openStore([], { cwd: root });
      const ids = store.runs.map((r) => [r.id, r.summary()?.metrics ? 'summary' : null, r.config() ? 'config' : null].join(' ')).sort();
      store.flush();
      return ids;
    };
    const index = join(root, 'outputs/.trellis-index');
    const files = () =>
      Object.fromEntries(
        (readdirSync(index, { recursive: true }) as string[]).filter((f) => f.endsWith('.json')).map((f) => [f, statSync(join(index, f)).ino]),
      );
    expect(listed()).toEqual(['a summary config', 'b summary config', 'c summary config', 'loose summary config']);
    const before = files();
    // A run directly at the root is in the root's own files; each directory at the top has its own.
    expect(Object.keys(before).sort()).toEqual(
      ['configs.json', 'runs.json', 'summaries.json'].flatMap((f) => [f, `shards/day1/${f}`, `shards/day2/${f}`]).sort(),
    );
    const d = writeRun(join(root, 'outputs/day2/d'), { id: 'd' });
    const old = new Date(Date.now() - 30_000);
    for (const dir of [join(d, '.trellis'), d, join(root, 'outputs/day2')]) utimesSync(dir, old, old);
    expect(listed()).toEqual(['a summary config', 'b summary config', 'c summary config', 'd summary config', 'loose summary config']);
    const after = files();
    const rewritten = Object.keys(after).filter((f) => after[f] !== before[f]);
    expect(rewritten.sort()).toEqual(['shards/day2/configs.json', 'shards/day2/runs.json', 'shards/day2/summaries.json']);
    rmSync(join(root, 'outputs/day1'), { recursive: true });
    ageTree(root);
    expect(listed()).toEqual(['c summary config', 'd summary config', 'loose summary config']);
    expect(existsSync(join(index, 'shards/day1'))).toBe(false);
    expect(listed()).toEqual(['c summary config', 'd summary config', 'loose summary config']);
  });

  it('answers metric and config queries from the index the same as from the files', () => {
    const root = tmpDir();
    agedRun(root);
    const q = (index: boolean) => {
      const store = openStore([], { cwd: root, index });
      const r = queryRuns(store, 'optimizer.name = adam and val_loss.min < 0.5', { cwd: root }).runs.map((x) => x.id);
      store.flush();
      return r;
    };
    expect(q(true)).toEqual(['r1']);
    expect(existsSync(join(root, 'outputs/.trellis-index/shards/2026-11-20/summaries.json'))).toBe(true);
    expect(existsSync(join(root, 'outputs/.trellis-index/shards/2026-11-20/configs.json'))).toBe(true);
    expect(q(true)).toEqual(['r1']);
    expect(q(false)).toEqual(['r1']);
  });
});

describe('finished runs in unchanged directories are taken from the index', () => {
  /** Rewrites run.json the way trellis writes records (temp file + rename), with other tags. */
  function retag(dir: string, tags: string[]) {
    const file = join(dir, '.trellis/run.json');
    writeFileSync(`${file}.tmp`, JSON.stringify({ ...JSON.parse(readFileSync(file, 'utf8')), tags }));
    renameSync(`${file}.tmp`, file);
  }
  /** The tags of each run, as a listing reads them (with their status). */
  const tagsOf = (root: string, options: { index?: boolean; refresh?: boolean } = {}) => {
    const store = openStore([], { cwd: root, ...options });
    const tags = Object.fromEntries(store.runs.map((r) => [r.id, r.status() && r.info?.tags]));
    store.flush();
    return tags;
  };
  function fourRuns() {
    const root = tmpDir();
    const dirs = {
      done: writeRun(join(root, 'outputs/day/done'), { id: 'done', tags: ['old'] }),
      failed: writeRun(join(root, 'outputs/day/failed'), { id: 'failed', status: 'failed', tags: ['old'] }),
      live: writeRun(join(root, 'outputs/day/live'), { id: 'live', status: 'running', tags: ['old'] }),
      partial: writeRun(join(root, 'outputs/day/partial'), { id: 'partial', tags: ['old'], omit: ['summary.json'] }),
    };
    ageTree(root);
    tagsOf(root);
    return { root, dirs };
  }

  it('without checking their records; running and partial runs are checked every time', () => {
    const { root, dirs } = fourRuns();
    for (const dir of Object.values(dirs)) retag(dir, ['new']);
    expect(tagsOf(root)).toEqual({ done: ['old'], failed: ['old'], live: ['new'], partial: ['new'] });
    expect(tagsOf(root, { index: false })).toEqual({ done: ['new'], failed: ['new'], live: ['new'], partial: ['new'] });
  });

  it('until --refresh checks every run, which also updates the index', () => {
    const { root, dirs } = fourRuns();
    retag(dirs.done, ['new']);
    expect(tagsOf(root).done).toEqual(['old']);
    expect(tagsOf(root, { refresh: true }).done).toEqual(['new']);
    expect(tagsOf(root).done).toEqual(['new']);
  });

  it('until the run is marked changed, as tag and note do, which checks its directory again', () => {
    const { root, dirs } = fourRuns();
    retag(dirs.done, ['new']);
    expect(markRunChanged(dirs.done)).toBe(true);
    expect(tagsOf(root)).toEqual({ done: ['new'], failed: ['old'], live: ['old'], partial: ['old'] });
    expect(readdirSync(join(root, 'outputs/day')).sort()).toEqual(['done', 'failed', 'live', 'partial']);
  });

  it('writes a changed directory down once it is old enough to, so its runs are trusted again', () => {
    const { root, dirs } = fourRuns();
    const written = () => statSync(join(root, 'outputs/.trellis-index/shards/day/runs.json')).ino;
    const before = written();
    writeFileSync(join(root, 'outputs/day/notes.txt'), 'a file beside the runs changes the mtime');
    expect(tagsOf(root).done).toEqual(['old']);
    expect(written()).toBe(before); // modified too recently to write down (a write in the same tick would go unseen)
    const earlier = new Date(Date.now() - 30_000);
    utimesSync(join(root, 'outputs/day'), earlier, earlier);
    tagsOf(root);
    expect(written()).not.toBe(before);
    retag(dirs.done, ['new']);
    expect(tagsOf(root).done).toEqual(['old']);
  });

  it('or a run is added or deleted beside it', () => {
    const { root, dirs } = fourRuns();
    retag(dirs.done, ['new']);
    rmSync(dirs.failed, { recursive: true });
    expect(tagsOf(root)).toEqual({ done: ['new'], live: ['old'], partial: ['old'] });
  });
});

describe('the index answers exactly what the files say', () => {
  /** Runs whose records stretch what an index keeps: odd metrics and configs, damage, text beyond ASCII. */
  function oddRuns(): string {
    const root = tmpDir();
    const put = (name: string, file: string, text: string) => writeFileSync(join(root, 'outputs', name, '.trellis', file), text);
    writeRun(join(root, 'outputs/plain'), {
      id: 'plain',
      resolved: { optimizer: { name: 'adam', lr: 0.01, betas: [0.9, 0.999] }, seed: 1, nested: ['first'] },
    });
    writeRun(join(root, 'outputs/odd'), {
      id: 'odd',
      tags: ['bäseline', '基线'],
      resolved: {
        optimizer: { name: 'sgd' },
        inf: Infinity,
        nan: NaN,
        constructor: 3,
        layers: [{ size: 4 }, { size: 3 }],
        nested: { '0': 'zero', deep: { x: null } },
        note: 'ünïcode',
      },
    });
    put(
      'odd',
      'summary.json',
      JSON.stringify({
        metrics: {
          val_loss: { last: 'NaN', min: '-Infinity', max: 'Infinity', count: 2, extra: 1 },
          constructor: { last: 0.5, min: 0.4 },
          odd: 5,
          arr: [1, 2],
        },
        result: { val_acc: 0.9, nested: { a: [1, 2] } },
      }),
    );
    writeRun(join(root, 'outputs/proto'), { id: 'proto', resolved: { optimizer: { name: 'adam', lr: 0.5 } } });
    put('proto', 'summary.json', '{"metrics": {"__proto__": {"last": 1, "min": 0}, "val_loss": {"last": 0.01, "min": 0.001}}, "result": 7}');
    writeRun(join(root, 'outputs/mapping'), { id: 'mapping', resolved: { optimizer: { name: { first: 'adam' }, lr: [0.1, 0.2] }, seed: null } });
    writeRun(join(root, 'outputs/no-start'), { id: 'no-start' });
    const runJson = join(root, 'outputs/no-start/.trellis/run.json');
    writeFileSync(runJson, JSON.stringify({ ...JSON.parse(readFileSync(runJson, 'utf8')), start: null }));
    writeRun(join(root, 'outputs/partial'), { id: 'partial', omit: ['summary.json'] });
    writeRun(join(root, 'outputs/torn'), { id: 'torn' });
    put('torn', 'summary.json', '{"metrics": {');
    writeRun(join(root, 'outputs/no-config'), { id: 'no-config', omit: ['resolved.yaml'] });
    writeRun(join(root, 'outputs/bad-config'), { id: 'bad-config' });
    put('bad-config', 'resolved.yaml', 'a: [1,\n');
    writeRun(join(root, 'outputs/running'), { id: 'running', status: 'running' });
    writeRun(join(root, 'outputs/killed'), {
      id: 'killed',
      status: 'running',
      metricsJsonl: '{"step":0,"time":1,"val_loss":"NaN"}\n{"step":1,"time":2,"val_loss":0.25,"odd":"x"}\n{"step":2,"ti',
    });
    writeRun(join(root, 'outputs/torn-derived'), { id: 'torn-derived', metricsJsonl: '{"step":0,"time":1,"val_loss":"-Infinity"}\n' });
    put('torn-derived', 'summary.json', '{"metrics": {');
    writeRun(join(root, 'outputs/paused'), { id: 'paused', status: 'paused' });
    writeRun(join(root, 'outputs/unreadable'), { id: 'unreadable' });
    put('unreadable', 'run.json', '{"id": ');
    return ageTree(root);
  }

  const FIELDS =
    'status,reason,id,started,ended,tags,notes,optimizer.name,optimizer,optimizer.lr,optimizer.lr[1],optimizer.betas,optimizer.betas[0],seed,inf,nan,constructor,layers,layers[0].size,nested.0,nested.deep,nested.deep.x,note,missing.path,val_loss,val_loss.min,val_loss.max,val_loss.count,val_loss.last_step,constructor.min,__proto__.last,__proto__,odd,arr,arr.last,result,result.nested.a,val_acc,config.optimizer.name,metric.val_loss.min';

  /** Every field of every run, then each whole summary and config, as one store reads them. */
  function everything(root: string, index: boolean) {
    const store = openStore([], { cwd: root, index, now: new Date('2026-11-23T12:00:00.000Z') });
    const fields = parseColumns(FIELDS);
    const ctx = { now: store.now, cwd: root };
    const runs = [...store.runs].sort((a, b) => (a.rel < b.rel ? -1 : 1));
    const seen = runs.map((run) => ({ rel: run.rel, row: runRow(run, fields, ctx), summary: run.summary(), config: run.config() }));
    store.flush();
    return seen;
  }

  it('for every field of odd and damaged runs, while it is built and once it is', () => {
    const root = oddRuns();
    const files = everything(root, false);
    expect(files.map((r) => [r.rel, r.row.status])).toContainEqual(['odd', 'completed']);
    // Derived from metrics.jsonl: NaN is last but not min; the torn line and the string are left out.
    expect(files.find((r) => r.rel === 'killed')!.summary).toEqual({
      metrics: { val_loss: { last: 0.25, last_step: 1, min: 0.25, min_step: 1, max: 0.25, max_step: 1, count: 2 } },
      result: null,
    });
    expect(files.find((r) => r.rel === 'torn-derived')!.summary!.metrics.val_loss).toMatchObject({ last: '-Infinity', min: '-Infinity', count: 1 });
    expect(everything(root, true)).toEqual(files);
    expect(everything(root, true)).toEqual(files);
    expect(readFileSync(join(root, 'outputs/.trellis-index/runs.json'), 'utf8')).toMatch(/^[\0-\x7f]*$/);
    // Nothing changed, so nothing is written: not even for the config the index cannot keep.
    const inodes = ['runs.json', 'summaries.json', 'configs.json'].map((f) => statSync(join(root, 'outputs/.trellis-index', f)).ino);
    everything(root, true);
    expect(['runs.json', 'summaries.json', 'configs.json'].map((f) => statSync(join(root, 'outputs/.trellis-index', f)).ino)).toEqual(inodes);
    // A new directory rewrites the run part alone, with the same runs: the parts still follow it.
    const header = (file: string) => JSON.parse(readFileSync(join(root, 'outputs/.trellis-index', file), 'utf8').split('\n')[0]!) as Record<string, unknown>;
    const generation = header('runs.json').generation;
    mkdirSync(join(root, 'outputs/notes'));
    const earlier = new Date(Date.now() - 30_000);
    for (const dir of ['outputs', 'outputs/notes']) utimesSync(join(root, dir), earlier, earlier);
    expect(everything(root, true)).toEqual(files);
    expect(statSync(join(root, 'outputs/.trellis-index/runs.json')).ino).not.toBe(inodes[0]);
    expect([header('runs.json').generation, header('summaries.json').runs, header('configs.json').runs]).toEqual([generation, generation, generation]);
    // A new run listed without its summary or config rewrites the run part alone; the parts then
    // find their rows by path, and the new run's records are read and written into every part.
    writeRun(join(root, 'outputs/later'), { id: 'later', resolved: { optimizer: { name: 'adam' }, nested: { '0': 'zero' } } });
    ageTree(root);
    const listed = openStore([], { cwd: root });
    listed.runs.forEach((r) => r.info);
    listed.flush();
    expect(header('runs.json').generation).not.toBe(generation);
    expect(header('summaries.json').runs).toBe(generation);
    const more = everything(root, false);
    expect(everything(root, true)).toEqual(more);
    expect(everything(root, true)).toEqual(more);
  });

  it('and the same when each run lets go of what it parsed from the index (as the UI does), which still gets written in full', () => {
    const root = oddRuns();
    const fields = parseColumns(FIELDS);
    /** From the files: every run read twice (the second reading knows what the first read). */
    const fromFiles = () => {
      const store = openStore([], { cwd: root, index: false, now: new Date('2026-11-23T12:00:00.000Z') });
      const runs = [...store.runs].sort((a, b) => (a.rel < b.rel ? -1 : 1));
      const read = (run: (typeof runs)[number]) => ({
        rel: run.rel,
        row: runRow(run, fields, { now: store.now, cwd: root }),
        summary: run.summary(),
        config: run.config(),
      });
      return { first: runs.map(read), again: runs.map(read) };
    };
    const files = fromFiles();
    const inodes = () =>
      ['runs.json', 'summaries.json', 'configs.json'].map((f) => statSync(join(root, 'outputs/.trellis-index', f), { throwIfNoEntry: false })?.ino);
    /** Every run read, let go, and read again; then the index written. */
    const forgetting = () => {
      const store = openStore([], { cwd: root, now: new Date('2026-11-23T12:00:00.000Z') });
      const ctx = { now: store.now, cwd: root };
      const runs = [...store.runs].sort((a, b) => (a.rel < b.rel ? -1 : 1));
      const read = (run: (typeof runs)[number]) => ({ rel: run.rel, row: runRow(run, fields, ctx), summary: run.summary(), config: run.config() });
      const first = runs.map((run) => {
        const seen = read(run);
        run.forgetIndexed();
        return seen;
      });
      const again = runs.map(read);
      runs.forEach((run) => run.forgetIndexed());
      store.flush();
      return { first, again };
    };
    // Built (runs read from files), then warm (runs parsed from the index).
    for (let i = 0; i < 3; i++) expect(forgetting()).toEqual(files);
    const built = inodes();
    forgetting();
    expect(inodes()).toEqual(built);
    // A new run in a listing that reads no summary or config: the parts lack it, so its records
    // come from its files, and are kept until written, though the others are let go.
    writeRun(join(root, 'outputs/later'), { id: 'later', resolved: { optimizer: { name: 'adam' }, nested: { '0': 'zero' } } });
    ageTree(root);
    const listed = openStore([], { cwd: root });
    listed.runs.forEach((r) => r.info);
    listed.flush();
    const more = fromFiles();
    expect(forgetting()).toEqual(more);
    const rewritten = inodes();
    expect(forgetting()).toEqual(more);
    expect(inodes()).toEqual(rewritten);
  });

  it.each([
    'optimizer.name = adam',
    'optimizer.lr = 0.2',
    'optimizer != null',
    'nested.deep.x = null',
    'inf > 1',
    'nan = nan',
    'val_loss.last = nan',
    '__proto__.min = 0',
    'tags = 基线',
    'started < 2027-01-01',
    'missing.path != 1',
    'status = partial',
  ])('for the query %s', (query) => {
    const root = oddRuns();
    const found = (index: boolean) => {
      const store = openStore([], { cwd: root, index, now: new Date('2026-11-23T12:00:00.000Z') });
      const rels = queryRuns(store, query, { cwd: root, sort: 'dir' }).runs.map((r) => r.rel);
      store.flush();
      return rels;
    };
    const files = found(false);
    expect(found(true)).toEqual(files);
    expect(found(true)).toEqual(files);
  });
});

describe('a run without summary.json shows the metrics of its metrics.jsonl', () => {
  const lines = (...rows: Array<Record<string, unknown>>) => rows.map((r) => `${JSON.stringify({ time: 1, ...r })}\n`).join('');
  const METRICS = lines({ step: 0, loss: 3 }, { step: 1, loss: 1 }, { step: 2, loss: 2 });
  const now = new Date('2026-11-23T12:00:00.000Z');

  it.each([
    {
      name: 'a killed run (still marked running, its heartbeat old)',
      run: { status: 'running', metricsJsonl: METRICS },
      status: 'crashed',
      reason: 'summary.json missing; metrics from metrics.jsonl',
      loss: [2, 1, 3, 3],
    },
    {
      name: 'with a torn last line',
      run: { status: 'running', metricsJsonl: `${METRICS}{"step":3,"time":1,"loss":0.0` },
      status: 'crashed',
      reason: 'summary.json missing; metrics from metrics.jsonl',
      loss: [2, 1, 3, 3],
    },
    {
      name: 'a finished run that lost summary.json',
      run: { metricsJsonl: METRICS, omit: ['summary.json'] },
      status: 'partial',
      reason: 'summary.json missing; metrics from metrics.jsonl',
      loss: [2, 1, 3, 3],
    },
    {
      name: 'an interrupted run that stopped before its summary',
      run: { status: 'interrupted', metricsJsonl: METRICS, omit: ['summary.json'] },
      status: 'interrupted',
      reason: 'summary.json missing; metrics from metrics.jsonl',
      loss: [2, 1, 3, 3],
    },
    {
      name: 'a failed run without its resolved config',
      run: { status: 'failed', metricsJsonl: METRICS, omit: ['resolved.yaml', 'config.yaml'] },
      status: 'failed',
      reason: 'resolved.yaml missing',
      loss: [null, null, null, null], // its summary.json, which holds no loss, wins over metrics.jsonl
    },
    {
      name: 'an empty metrics.jsonl',
      run: { status: 'running', metricsJsonl: '' },
      status: 'crashed',
      reason: 'summary.json missing; metrics from metrics.jsonl',
      loss: [null, null, null, null],
    },
    { name: 'no metrics.jsonl either', run: { status: 'running' }, status: 'crashed', reason: 'summary.json missing', loss: [null, null, null, null] },
  ])('$name', ({ run, status, reason, loss }) => {
    const root = tmpDir();
    writeRun(join(root, 'outputs/a'), { id: 'a', ...run });
    ageTree(root);
    const fields = parseColumns('loss.last,loss.min,loss.max,loss.count');
    const list = (index: boolean) => {
      const store = openStore([], { cwd: root, index, now });
      const rows = queryRuns(store, '', { cwd: root }).runs.map((r) => runRow(r, fields, { now, cwd: root }));
      store.flush();
      return rows.map((r) => ({ status: r.status, reason: r.reason, loss: Object.values(r.fields) }));
    };
    const expected = [{ status, reason, loss }];
    expect(list(false)).toEqual(expected);
    expect(list(true)).toEqual(expected); // building the index
    expect(list(true)).toEqual(expected); // from it: the metrics from its columns, and why
  });

  it("and the index reads it again when lines are appended, which leaves the run's stamp as it was", () => {
    const root = tmpDir();
    const dir = writeRun(join(root, 'outputs/a'), { id: 'a', status: 'running', metricsJsonl: METRICS });
    ageTree(root);
    const index = (file: string) => statSync(join(root, 'outputs/.trellis-index', file)).ino;
    const loss = () => {
      const store = openStore([], { cwd: root, now });
      const rows = queryRuns(store, 'loss.count > 0', { cwd: root }).runs.map((r) => [r.metric('loss', 'last'), r.metric('loss', 'count')]);
      store.flush();
      return rows;
    };
    expect(loss()).toEqual([[2, 3]]);
    const cached = index('summaries.json');
    expect(loss()).toEqual([[2, 3]]);
    expect(index('summaries.json')).toBe(cached); // answered from the index, nothing rewritten
    const stamp = statSync(join(dir, '.trellis')).mtimeMs;
    appendFileSync(join(dir, '.trellis/metrics.jsonl'), lines({ step: 3, loss: 0.5 }));
    expect(statSync(join(dir, '.trellis')).mtimeMs).toBe(stamp);
    expect(loss()).toEqual([[0.5, 4]]);
    expect(index('summaries.json')).not.toBe(cached);
    expect(loss()).toEqual([[0.5, 4]]);
  });
});

describe('finding a run', () => {
  function twoRuns() {
    const root = tmpDir();
    writeRun(join(root, 'outputs/a'), { id: '20261120-100000-abc123' });
    writeRun(join(root, 'outputs/b'), { id: '20261120-100000-abd456' });
    return root;
  }
  it.each([
    { name: 'by directory', ref: 'outputs/a', id: '20261120-100000-abc123' },
    { name: 'by id', ref: '20261120-100000-abd456', id: '20261120-100000-abd456' },
    { name: 'by unique prefix', ref: '20261120-100000-abc', id: '20261120-100000-abc123' },
  ])('$name', ({ ref, id }) => {
    expect(findRun(ref, { cwd: twoRuns(), index: false }).id).toBe(id);
  });

  it.each([
    {
      name: 'ambiguous prefix lists the candidates',
      ref: '20261120-100000-ab',
      code: 'RUN_AMBIGUOUS',
      hint: /20261120-100000-abc123 {2}outputs\/a\n {2}20261120-100000-abd456 {2}outputs\/b/,
    },
    { name: 'unknown id', ref: 'zzz', code: 'RUN_NOT_FOUND', hint: /searched outputs/ },
    { name: 'a directory that is no run', ref: 'outputs', code: 'RUN_RECORD_INVALID', hint: /trellis runs list/ },
  ])('$name', ({ ref, code, hint }) => {
    const e = errorOf(() => findRun(ref, { cwd: twoRuns(), index: false }));
    expect(e.code).toBe(code);
    expect(e.hint).toMatch(hint);
  });
});

describe('reading YAML records fast', () => {
  it.each([
    { name: 'nested mappings and lists', value: { a: { b: 1, c: [1, 2.5, 'x'] }, d: 'text', e: null, f: true } },
    {
      name: 'list of mappings',
      value: {
        layers: [
          { size: 4, act: 'tanh' },
          { size: 3, act: null },
        ],
      },
    },
    { name: 'list of lists', value: { grid: [[1, 2], [3]] } },
    {
      name: 'strings that look typed are quoted',
      value: { a: '1.0', b: 'true', c: 'null', d: '', e: ' padded ', f: 'a: b', g: "it's", h: '#hash', i: '- dash' },
    },
    { name: 'interpolations', value: { a: '${b.c}', b: { c: 'iris-${model.name}' }, d: '${oc.env:HOME,/tmp}' } },
    { name: 'the missing value, and strings that start with ?', value: { a: '???', b: '?x', c: ['???'] } },
    { name: 'empty containers', value: { a: {}, b: [], c: [{}] } },
    { name: 'floats and special numbers', value: { a: 1e-9, b: -0.5, c: Number.POSITIVE_INFINITY, d: 3 } },
    { name: 'a top-level list', value: ['optimizer=adam', 'trainer.epochs=3'] },
    { name: 'control characters', value: { a: 'line\nbreak', b: 'tab\there' } },
  ])('$name reads back as loadYaml reads it', ({ value }) => {
    const text = toYamlText(fromPlain(value));
    expect(readYamlRecord(text, 'x.yaml')).toEqual(toPlain(loadYaml(text, 'x.yaml').root));
  });

  it('falls back to the full loader for YAML written by hand', () => {
    const text = '# a comment\na: &x 1\nb: *x\nc: |\n  block\n';
    expect(readYamlRecord(text, 'x.yaml')).toEqual({ a: 1, b: 1, c: 'block\n' });
  });

  it('reports a duplicate key like the full loader', () => {
    expect(errorOf(() => readYamlRecord('a: 1\na: 2\n', 'x.yaml')).code).toBe('YAML_DUPLICATE_KEY');
  });
});

describe('RunStore.unchanged: whether opening again now would find the same runs and records', () => {
  /** A finished run and a running one in a day of outputs/, a sweep job in multirun/; all aged. */
  const setup = (roots = ['outputs', 'multirun']) => {
    const root = tmpDir();
    writeRun(join(root, 'outputs/2026-11-20/a'), { id: 'a' });
    writeRun(join(root, 'outputs/2026-11-20/b'), { id: 'b', status: 'running' });
    if (roots.includes('multirun')) writeRun(join(root, 'multirun/s/0'), { id: 's0' });
    openStore([], { cwd: root }).flush();
    return ageTree(root);
  };
  const rewrite = (path: string) => {
    writeFileSync(`${path}.tmp`, readFileSync(path));
    renameSync(`${path}.tmp`, path);
  };
  it.each([
    { name: 'nothing happened', change: () => {}, unchanged: true },
    { name: 'a new run in a day', change: (root: string) => writeRun(join(root, 'outputs/2026-11-20/c'), { id: 'c' }), unchanged: false },
    { name: 'a new day', change: (root: string) => writeRun(join(root, 'outputs/2026-11-21/a'), { id: 'd' }), unchanged: false },
    { name: 'a new job in a sweep', change: (root: string) => writeRun(join(root, 'multirun/s/1'), { id: 's1' }), unchanged: false },
    { name: 'a run deleted', change: (root: string) => rmSync(join(root, 'outputs/2026-11-20/a'), { recursive: true }), unchanged: false },
    { name: 'a running run rewrote run.json', change: (root: string) => rewrite(join(root, 'outputs/2026-11-20/b/.trellis/run.json')), unchanged: false },
    { name: 'a finished run was tagged', change: (root: string) => tagRun(join(root, 'outputs/2026-11-20/a'), ['best']), unchanged: false },
  ])('$name: $unchanged', ({ change, unchanged }) => {
    const root = setup();
    const store = openStore([], { cwd: root });
    change(root);
    expect(store.unchanged()).toBe(unchanged);
  });

  it('a default root that did not exist appears', () => {
    const root = setup(['outputs']);
    const store = openStore([], { cwd: root });
    expect(store.unchanged()).toBe(true);
    writeRun(join(root, 'multirun/s/0'), { id: 's0' });
    expect(store.unchanged()).toBe(false);
  });

  it('never claims unchanged when something it looked at had just changed (a second change in the same mtime tick would not show)', () => {
    const root = setup();
    writeRun(join(root, 'outputs/2026-11-20/c'), { id: 'c' });
    const store = openStore([], { cwd: root });
    expect(store.unchanged()).toBe(false);
  });
});
