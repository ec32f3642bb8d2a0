import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { writeJsonAtomic } from '../run/atomic-write.js';
import { completionCacheFile } from './cached-files.js';
import type { JsonSchema } from './schema-hints.js';

/**
 * What a TAB needs from an app that only the app's own process knows: where its configs are and
 * its schema (as JSON Schema). The app writes it when it answers a query; trellis's CLI answers
 * later TABs from it without importing the app (zod, datasets, models), which is most of a TAB.
 */
export interface AppManifest {
  version: number;
  /** The app's script, absolute. */
  script: string;
  /** Size and mtime of the script when it was written: an edited script is asked again. */
  stamp: string;
  cwd: string;
  configDir: string;
  configName: string;
  schema: JsonSchema | null;
  /** When it was written (ms since the epoch): older manifests are refreshed in the background. */
  written: number;
}

const MANIFEST_VERSION = 1;

/** Where the manifest of `script` run from `cwd` lives, beside the other completion caches. */
export function appManifestFile(script: string, cwd: string, env: NodeJS.ProcessEnv): string {
  return join(dirname(completionCacheFile('', env)), `app-${createHash('sha1').update(`${script}\0${cwd}`).digest('hex').slice(0, 16)}.json`);
}

function scriptStamp(script: string): string | undefined {
  const stat = statSync(script, { throwIfNoEntry: false });
  return stat?.isFile() ? `${stat.size}:${stat.mtimeMs}` : undefined;
}

/** The manifest, if there is one for this script as it is now. */
export function readAppManifest(file: string, script: string, cwd: string): AppManifest | undefined {
  try {
    const manifest = JSON.parse(readFileSync(file, 'utf8')) as AppManifest;
    const fresh = manifest.version === MANIFEST_VERSION && manifest.script === script && manifest.cwd === cwd && manifest.stamp === scriptStamp(script);
    return fresh && typeof manifest.configDir === 'string' && typeof manifest.configName === 'string' ? manifest : undefined;
  } catch {
    return undefined;
  }
}

/** Best effort: a TAB must never fail because the cache cannot be written. */
export function writeAppManifest(file: string, manifest: Omit<AppManifest, 'version' | 'stamp' | 'written'>): void {
  const stamp = scriptStamp(manifest.script);
  if (!stamp) return;
  try {
    mkdirSync(dirname(file), { recursive: true });
    writeJsonAtomic(file, { version: MANIFEST_VERSION, ...manifest, stamp, written: Date.now() });
  } catch {
    // No cache: the next TAB asks the app again.
  }
}
