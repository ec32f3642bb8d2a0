import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { repoRoot } from './run-cli.js';
import { tmpDir } from './tmp-dir.js';

export const trellisUrl = pathToFileURL(join(repoRoot, 'dist', 'bundle', 'index.js')).href;

/** An app.mjs that defines an app with `body` as its job and runs main(). */
export const appSource = (body: string, name = 'job') =>
  `import { defineApp } from ${JSON.stringify(trellisUrl)};\nconst app = defineApp({ name: ${JSON.stringify(name)} }, ${body});\nprocess.exitCode = await app.main();\n`;

/** A temp project whose app.mjs is appSource(body, name). */
export function customApp(body: string, files: Record<string, string>, name = 'job'): string {
  return tmpDir({ 'app.mjs': appSource(body, name), ...files });
}

/** Runs a script with node in `cwd`; no colours. */
export function runNode(script: string, args: string[], cwd: string, env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [script, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', ...env }, timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Every run directory under `root` (those holding .trellis/run.json), sorted. */
export function runDirs(root: string): string[] {
  const found: string[] = [];
  const walk = (dir: string) => {
    if (!existsSync(dir)) return;
    if (existsSync(join(dir, '.trellis', 'run.json'))) found.push(dir);
    for (const e of readdirSync(dir, { withFileTypes: true })) if (e.isDirectory() && e.name !== '.trellis') walk(join(dir, e.name));
  };
  walk(root);
  return found.sort();
}

export const readRecord = (dir: string, file: string) => readFileSync(join(dir, '.trellis', file), 'utf8');
export const readJson = <T = Record<string, unknown>>(dir: string, file: string) => JSON.parse(readRecord(dir, file)) as T;
