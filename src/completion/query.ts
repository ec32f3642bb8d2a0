import { relative } from 'node:path';
import type { CommandSpec } from '../console/command-spec.js';
import type { RunStore } from '../store/open-store.js';
import { CachedConfigFiles, completionCacheFile } from './cached-files.js';
import { completeApp, completeTrellis, type Candidate, type CompletionInputs, type RunRef, type Shell } from './candidates.js';
import { NeedsLoader } from './config-files.js';
import { ConfigView } from './config-view.js';
import { splitLine, type SplitLine } from './line.js';
import { formatReply } from './reply.js';
import type { JsonSchema } from './schema-hints.js';

export interface QueryContext {
  shell: Shell;
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** The config directory and name when the line does not give them. */
  configDir: string;
  configName: string;
  schema?: (() => JsonSchema | undefined) | undefined;
}

type OpenStore = (roots: string[], options: { cwd: string }) => RunStore;

/** What a query has loaded so far: the YAML parser and the run store load only when a TAB needs them. */
interface Loaded {
  repository?: typeof import('../sources/fs-repository.js');
  openStore?: OpenStore;
}

function inputsFor(context: QueryContext, loaded: Loaded, opened: CachedConfigFiles[]): CompletionInputs {
  return {
    config(dir, name, overrides) {
      const configDir = dir ?? context.configDir;
      const files = new CachedConfigFiles(configDir, context.cwd, completionCacheFile(relativeKey(context.cwd, configDir), context.env));
      files.repository = loaded.repository?.createFsRepository([configDir], context.cwd);
      opened.push(files);
      return new ConfigView(files, name ?? context.configName, overrides);
    },
    schema: context.schema,
    runs(): RunRef[] {
      if (!loaded.openStore) throw new NeedsLoader('runs');
      try {
        const store = loaded.openStore([], { cwd: context.cwd });
        const refs = store.runs.flatMap((r) => {
          const id = r.id;
          if (!id) return [];
          const started = r.started();
          const when = started === undefined ? '' : new Date(started).toISOString().slice(0, 16).replace('T', ' ');
          return [{ id, dir: relative(context.cwd, r.dir) || '.', description: [r.recordedStatus() ?? 'unknown', when].filter(Boolean).join(' ') }];
        });
        store.flush();
        return refs;
      } catch {
        return [];
      }
    },
  };
}

/** The cache key of a config directory: absolute, so two projects never share entries. */
const relativeKey = (cwd: string, dir: string) => `${cwd}\0${dir}`;

/** Computes the candidates, loading the YAML parser or the run store only when the cache cannot answer. */
async function candidatesFor(context: QueryContext, complete: (inputs: CompletionInputs) => Candidate[]): Promise<Candidate[]> {
  const loaded: Loaded = {};
  for (;;) {
    const opened: CachedConfigFiles[] = [];
    try {
      const out = complete(inputsFor(context, loaded, opened));
      for (const files of opened) files.save();
      return out;
    } catch (error) {
      if (!(error instanceof NeedsLoader)) throw error;
      if (error.message === 'runs') {
        if (loaded.openStore) throw error;
        loaded.openStore = (await import('../store/open-store.js')).openStore;
      } else {
        if (loaded.repository) throw error;
        loaded.repository = await import('../sources/fs-repository.js');
      }
    }
  }
}

const lineOf = (context: QueryContext): SplitLine => splitLine(context.env.COMP_LINE ?? '');

/** One TAB of trellis's own command line: COMP_LINE (the line before the cursor) → the shell's reply. */
export async function answerTrellisQuery(commands: readonly CommandSpec[], context: QueryContext): Promise<string> {
  const line = lineOf(context);
  const candidates = await candidatesFor(context, (inputs) => completeTrellis(commands, line.words.slice(1), line.current, inputs));
  return formatReply(context.shell, candidates, line, context.env.COMP_WORDBREAKS);
}

/**
 * One TAB of an app's command line. The program is stripped as Hydra's
 * strip_python_or_app_name does: `node app.js …` or `app …`.
 */
export async function answerAppQuery(spec: CommandSpec, context: QueryContext): Promise<string> {
  const line = lineOf(context);
  const program = /(^|\/)node[\w.-]*$/.test(line.words[0] ?? '') ? 2 : 1;
  const candidates = await candidatesFor(context, (inputs) => completeApp(spec, line.words.slice(program), line.current, inputs));
  return formatReply(context.shell, candidates, line, context.env.COMP_WORDBREAKS);
}
