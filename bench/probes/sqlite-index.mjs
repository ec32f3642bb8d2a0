/**
 * The embedded-database alternative to the run index, measured by hand (issue 21's decision; see
 * bench/README.md). Needs Node ≥ 22.5 (`node:sqlite`); Node 20 has no built-in SQLite, and a
 * native module would need a download or a compiler at install.
 *
 * usage: node sqlite-index.mjs build DB N   rows like the index's (path, stamp, status, a metric
 *                                           column, a config column, the record as JSON)
 *        node sqlite-index.mjs query DB     in a fresh process: open, best by the metric, a
 *                                           filtered list of 10; prints ms
 *        node sqlite-index.mjs scan DB      the same best, by a value inside the JSON record (a
 *                                           config key no column has: a full scan)
 *        node sqlite-index.mjs add DB       in a fresh process: open and upsert one run; prints ms
 */
import { DatabaseSync } from 'node:sqlite';

const [command, path, count] = process.argv.slice(2);
const t0 = performance.now();
const db = new DatabaseSync(path);
if (command === 'build') {
  db.exec('PRAGMA journal_mode = WAL; CREATE TABLE runs (rel TEXT PRIMARY KEY, stamp TEXT, status TEXT, val_loss_min REAL, optimizer TEXT, record TEXT)');
  db.exec('CREATE INDEX by_loss ON runs (status, val_loss_min); CREATE INDEX by_optimizer ON runs (optimizer)');
  const insert = db.prepare('INSERT INTO runs VALUES (?, ?, ?, ?, ?, ?)');
  const record = JSON.stringify({ info: 'x'.repeat(400) });
  db.exec('BEGIN');
  for (let i = 0; i < Number(count); i++) {
    insert.run(
      `2026-01-${i % 28}/run-${i}`,
      `${i}:1767225600000`,
      i % 10 ? 'completed' : 'failed',
      ((i * 7919) % 100_000) / 1e5,
      i % 2 ? 'adam' : 'sgd',
      record,
    );
  }
  db.exec('COMMIT');
} else if (command === 'query') {
  const best = db.prepare("SELECT rel, record FROM runs WHERE status = 'completed' ORDER BY val_loss_min LIMIT 1").all();
  const list = db.prepare("SELECT rel, record FROM runs WHERE optimizer = 'adam' ORDER BY rel DESC LIMIT 10").all();
  if (best.length !== 1 || list.length !== 10) throw new Error('query found nothing');
} else if (command === 'scan') {
  const best = db.prepare("SELECT rel FROM runs WHERE json_extract(record, '$.info') IS NOT NULL ORDER BY val_loss_min LIMIT 1").all();
  if (best.length !== 1) throw new Error('query found nothing');
} else if (command === 'add') {
  db.prepare('INSERT OR REPLACE INTO runs VALUES (?, ?, ?, ?, ?, ?)').run('2030-01-01/new', '1:2', 'completed', 0.5, 'adam', '{}');
}
db.close();
console.log(JSON.stringify({ command, ms: performance.now() - t0 }));
