/**
 * Tab completion in real shells: bash, zsh and fish run in tmux, load the scripts the way the
 * README says, get a prefix typed and TAB pressed, and the test reads the screen.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readJson, runDirs, runNode } from '../helpers/app-project.js';
import { cliPath, repoRoot } from '../helpers/run-cli.js';
import { Terminal } from '../helpers/tmux.js';
import { tmpDir } from '../helpers/tmp-dir.js';

const url = (path: string) => JSON.stringify(pathToFileURL(join(repoRoot, path)).href);

const APP = `import { z } from ${url('node_modules/zod/index.js')};
import { defineApp } from ${url('dist/bundle/index.js')};
const schema = z.object({
  seed: z.number().describe('master seed'),
  optimizer: z.object({ name: z.enum(['adam', 'sgd']), lr: z.number().describe('learning rate') }).passthrough(),
}).passthrough();
const app = defineApp({ name: 'demo', schema }, async () => ({ done: 1 }));
process.exitCode = await app.main();
`;

/**
 * The demo's conf/, an app with a schema, one recorded run, and `trellis` on PATH. One per shell,
 * kept for all its cases (removed in afterAll): starting a shell with its completion system is slow.
 */
function project(): { dir: string; env: Record<string, string>; runId: string } {
  const dir = mkdtempSync(join(tmpdir(), 'trellis-completion-'));
  mkdirSync(join(dir, 'bin'));
  writeFileSync(join(dir, 'app.mjs'), APP);
  writeFileSync(join(dir, 'bin', 'trellis'), `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(cliPath)} "$@"\n`);
  chmodSync(join(dir, 'bin', 'trellis'), 0o755);
  cpSync(join(repoRoot, 'conf'), join(dir, 'conf'), { recursive: true });
  const env: Record<string, string> = {
    PATH: `${join(dir, 'bin')}:${process.env.PATH ?? ''}`,
    HOME: dir,
    XDG_CACHE_HOME: join(dir, 'cache'),
    XDG_CONFIG_HOME: join(dir, 'config'),
    XDG_DATA_HOME: join(dir, 'data'),
    NO_COLOR: '1',
    TERM: 'xterm',
    LANG: 'C.UTF-8',
    // No history files: a shell killed at the end must not be writing into the directory being removed.
    HISTFILE: '/dev/null',
    fish_history: '',
  };
  const r = runNode('app.mjs', ['trainer.epochs=1'], dir, env);
  expect(r.code).toBe(0);
  const runId = readJson<{ id: string }>(runDirs(join(dir, 'outputs'))[0]!, 'run.json').id;
  return { dir, env, runId };
}

interface Shell {
  name: 'bash' | 'zsh' | 'fish';
  /** Starts the shell with no start-up files of the user. */
  command: string;
  /** Loads trellis's script and the app's, as the README says. */
  setup: string[];
}

const SHELLS: Shell[] = [
  {
    name: 'bash',
    command: 'bash --norc --noprofile',
    setup: ["PS1='$ '", 'source <(trellis completion bash)', 'eval "$(node app.mjs --shell-completion install=bash)"'],
  },
  {
    name: 'zsh',
    command: 'zsh -f',
    setup: [
      "PROMPT='$ '",
      'autoload -Uz compinit && compinit -u -D',
      'source <(trellis completion zsh)',
      'eval "$(node app.mjs --shell-completion install=zsh)"',
    ],
  },
  {
    name: 'fish',
    command: 'fish --no-config',
    setup: [
      "function fish_prompt; echo -n '$ '; end",
      'set -g fish_autosuggestion_enabled 0',
      'trellis completion fish | source',
      'node app.mjs --shell-completion install=fish | source',
    ],
  },
];

async function open(shell: Shell, project: { dir: string; env: Record<string, string> }): Promise<Terminal> {
  const term = new Terminal(project.dir, shell.command, project.env);
  await term.waitFor((s) => s.trim().length > 0, 'the first prompt');
  for (const line of shell.setup) await term.run(line);
  return term;
}

/** What the line shows after TAB, when one candidate fits. */
const line = (text: string) => (s: string) => s.split('\n').some((l) => l.trimEnd() === `$ ${text}`.trimEnd());
/** Every one of these shown somewhere on the screen (a list of candidates). */
const shows =
  (...texts: string[]) =>
  (s: string) =>
    texts.every((t) => s.includes(t));

interface Case {
  name: string;
  typed: string;
  keys: string[];
  expect: (s: string) => boolean;
}

const COMMON: Case[] = [
  { name: 'a group option', typed: 'trellis compose optimizer=ad', keys: ['Tab'], expect: line('trellis compose optimizer=adam') },
  { name: 'a key of the chosen option', typed: 'trellis compose optimizer.mo', keys: ['Tab'], expect: line('trellis compose optimizer.momentum=') },
  {
    name: 'a key of the option chosen on the line',
    typed: 'trellis compose optimizer=adam optimizer.be',
    keys: ['Tab'],
    expect: line('trellis compose optimizer=adam optimizer.betas.'),
  },
  { name: 'a flag', typed: 'trellis compose --config-n', keys: ['Tab'], expect: line('trellis compose --config-name') },
  { name: 'a subcommand', typed: 'trellis runs sh', keys: ['Tab'], expect: line('trellis runs show') },
  { name: 'an app’s group option', typed: 'node app.mjs optimizer=s', keys: ['Tab'], expect: line('node app.mjs optimizer=sgd') },
  { name: 'an app’s flag', typed: 'node app.mjs --cf', keys: ['Tab'], expect: line('node app.mjs --cfg') },
];

// fish shows a long common prefix as `…` in its list: those cases look for the ends of candidates.
const LISTS: Record<Shell['name'], Case[]> = {
  bash: [
    {
      name: 'the current value and sweep functions',
      typed: 'trellis compose optimizer.lr=',
      keys: ['Tab', 'Tab'],
      expect: shows('0.1', 'range(', 'choice(', 'interval('),
    },
    { name: 'enum values of the app’s schema', typed: 'node app.mjs optimizer.name=', keys: ['Tab', 'Tab'], expect: shows('adam', 'sgd', 'glob(') },
  ],
  zsh: [
    {
      name: 'keys with their current values',
      typed: 'trellis compose optimizer.',
      keys: ['Tab'],
      expect: shows('optimizer.lr=', '= 0.1', 'optimizer.momentum=', '= 0.9'),
    },
    { name: 'the app’s schema descriptions', typed: 'node app.mjs optimizer.', keys: ['Tab'], expect: shows('optimizer.lr=', 'learning rate') },
    { name: 'a sweep function', typed: 'trellis compose optimizer.lr=ra', keys: ['Tab'], expect: line('trellis compose optimizer.lr=range\\(') },
  ],
  fish: [
    {
      name: 'keys with their current values',
      typed: 'trellis compose optimizer.',
      keys: ['Tab'],
      expect: shows('lr=  (= 0.1)', 'momentum=  (= 0.9)'),
    },
    { name: 'the app’s schema descriptions', typed: 'node app.mjs optimizer.', keys: ['Tab'], expect: shows('lr=  (= 0.1 learning rate)') },
    { name: 'a sweep function', typed: 'trellis compose optimizer.lr=ra', keys: ['Tab'], expect: line('trellis compose optimizer.lr=range\\(') },
  ],
};

describe.each(SHELLS)('tab completion in $name', (shell) => {
  let setup: ReturnType<typeof project>;
  let term: Terminal | undefined;
  beforeAll(async () => {
    setup = project();
    term = await open(shell, setup);
  }, 180_000);
  afterAll(() => {
    term?.kill();
    // A completion query started by the last TAB may still be writing its cache.
    rmSync(setup.dir, { recursive: true, force: true, maxRetries: 50, retryDelay: 100 });
  });

  /** A fresh line on a cleared screen, then `typed` and the keys. */
  async function typeAndPress(typed: string, keys: string[]): Promise<Terminal> {
    await term!.reset('$ ');
    term!.type(typed);
    term!.press(...keys);
    return term!;
  }

  it('the shell is installed (.ci/run installs it)', () => {
    expect(spawnSync(shell.name, ['-c', 'exit 0']).status).toBe(0);
    expect(spawnSync('tmux', ['-V']).status).toBe(0);
  });

  it.each([...COMMON, ...LISTS[shell.name]])(
    '$name: `$typed` + $keys',
    async ({ typed, keys, expect: check }) => {
      const shown = await typeAndPress(typed, keys);
      await shown.waitFor(check, `the completion of '${typed}'`);
    },
    120_000,
  );

  it('run ids for trellis runs show', async () => {
    const shown = await typeAndPress(`trellis runs show ${setup.runId.slice(0, -2)}`, ['Tab']);
    await shown.waitFor(line(`trellis runs show ${setup.runId}`), 'the run id');
  }, 120_000);

  it('--install, as the README gives it, writes the script where the shell looks for it', () => {
    const { dir, env } = setup;
    const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
    const given = readme.split('\n').find((l) => l.startsWith(`trellis completion ${shell.name} --install`));
    const args = given!.replace(/#.*$/, '').trim().split(/\s+/).slice(1);
    expect(args).toEqual(['completion', shell.name, '--install']);
    const r = spawnSync(process.execPath, [cliPath, ...args], { cwd: dir, env: { ...process.env, ...env }, encoding: 'utf8' });
    expect(r.status).toBe(0);
    const where = { bash: join(dir, 'data', 'bash-completion', 'completions'), zsh: join(dir, '.zfunc'), fish: join(dir, 'config', 'fish', 'completions') }[
      shell.name
    ];
    expect(readdirSync(where)).toEqual([{ bash: 'trellis', zsh: '_trellis', fish: 'trellis.fish' }[shell.name]]);
    expect(r.stdout).toContain(`wrote ${where}`);
  });
});

describe('the scripts', () => {
  it.each(['bash', 'zsh', 'fish'])('%s parses both scripts', (shell) => {
    const dir = tmpDir();
    for (const [name, args] of [
      ['trellis', [cliPath, 'completion', shell]],
      ['app', [join(dir, 'app.mjs'), '--shell-completion', `install=${shell}`]],
    ] as const) {
      if (name === 'app') writeFileSync(join(dir, 'app.mjs'), APP);
      const script = spawnSync(process.execPath, args, { cwd: dir, encoding: 'utf8' });
      expect(script.status).toBe(0);
      writeFileSync(join(dir, name), script.stdout);
      const check = spawnSync(shell, ['-n', join(dir, name)], { encoding: 'utf8' });
      expect(check.stderr).toBe('');
      expect(check.status).toBe(0);
    }
  });
});

describe("an app's TAB is answered by trellis from what the app recorded", () => {
  /** The app with a line that counts its imports: a TAB that imports it leaves a line. */
  function countingApp() {
    const dir = tmpDir({ 'app.mjs': `import { appendFileSync } from 'node:fs';\nappendFileSync('imports.log', 'x\\n');\n${APP}` });
    cpSync(join(repoRoot, 'conf'), join(dir, 'conf'), { recursive: true });
    const env = { ...process.env, XDG_CACHE_HOME: join(dir, 'cache'), NO_COLOR: '1' };
    const imports = () => readFileSync(join(dir, 'imports.log'), 'utf8').split('\n').filter(Boolean).length;
    const tab = (shell: string, line: string, args: string[]) => {
      const r = spawnSync(process.execPath, args, { cwd: dir, env: { ...env, COMP_LINE: line }, encoding: 'utf8' });
      expect(r.status).toBe(0);
      return r.stdout;
    };
    const viaTrellis = (shell: string, line: string) => tab(shell, line, [cliPath, 'completion', shell, '--query', '--app', 'app.mjs']);
    const viaApp = (shell: string, line: string) => tab(shell, line, ['app.mjs', '--shell-completion', `query=${shell}`]);
    return { dir, imports, viaTrellis, viaApp };
  }

  it('the first TAB asks the app; later ones do not import it and answer the same, schema hints included', () => {
    const app = countingApp();
    const line = 'node app.mjs optimizer.';
    const first = app.viaTrellis('zsh', line);
    expect(app.imports()).toBe(1);
    expect(first).toContain('learning rate');
    for (const shell of ['bash', 'zsh', 'fish']) {
      for (const l of [line, 'node app.mjs optimizer=', 'node app.mjs optimizer.name=', 'node app.mjs --c']) {
        const before = app.imports();
        const answer = app.viaTrellis(shell, l);
        expect(app.imports()).toBe(before);
        expect(answer).toBe(app.viaApp(shell, l));
      }
    }
  }, 60_000);

  it('an edited script is asked again', () => {
    const app = countingApp();
    app.viaTrellis('bash', 'node app.mjs optimizer=');
    app.viaTrellis('bash', 'node app.mjs optimizer=');
    expect(app.imports()).toBe(1);
    writeFileSync(join(app.dir, 'app.mjs'), `${readFileSync(join(app.dir, 'app.mjs'), 'utf8')}// edited\n`);
    expect(app.viaTrellis('bash', 'node app.mjs optimizer=')).toBe(app.viaApp('bash', 'node app.mjs optimizer='));
    expect(app.imports()).toBe(3);
  }, 30_000);

  it('the installed script sends TABs to this trellis, and to the app itself when that trellis is gone', () => {
    const script = spawnSync(process.execPath, [join(tmpDir({ 'app.mjs': APP }), 'app.mjs'), '--shell-completion', 'install=bash'], {
      encoding: 'utf8',
    }).stdout;
    expect(script).toContain(`local bin='${cliPath}'`);
    expect(script).toContain('completion bash --query --app');
    expect(script).toContain('|| cmd+=("${COMP_WORDS[1]}" --shell-completion query=bash)');
  });
});
