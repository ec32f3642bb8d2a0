import { describe, expect, it } from 'vitest';
import * as trellis from '../../../src/index.js';

// Plain JavaScript callers: no types stop them, so every public function checks what it gets.
const call = (fn: unknown, ...args: unknown[]) => (fn as (...a: unknown[]) => unknown)(...args);

describe('public functions called with wrong arguments throw a TrellisError naming the argument', () => {
  it.each([
    {
      name: 'expandJobs without configDir',
      run: () => call(trellis.expandJobs, { overrides: ['a=1,2'] }),
      message: 'expandJobs(): options.configDir must be a string, got undefined; options.configName must be a string, got undefined',
    },
    {
      name: 'expandJobs with overrides as a string',
      run: () => call(trellis.expandJobs, { configDir: 'conf', configName: 'config', overrides: 'a=1' }),
      message: 'expandJobs(): options.overrides must be an array of strings, got the string "a=1"',
    },
    { name: 'planJobs with nothing', run: () => call(trellis.planJobs), message: 'planJobs(): options must be an object, got undefined' },
    {
      name: 'composeFromDir with a number configName',
      run: () => call(trellis.composeFromDir, { configDir: 'conf', configName: 3 }),
      message: 'composeFromDir(): options.configName must be a string, got number 3',
    },
    {
      name: 'openConfigDir with no name',
      run: () => call(trellis.openConfigDir, 'conf'),
      message: 'openConfigDir(): configName must be a string, got undefined',
    },
    {
      name: 'resolveComposition with null',
      run: () => call(trellis.resolveComposition, null),
      message: 'resolveComposition(): composition must be an object, got null',
    },
    {
      name: 'compose without a repository',
      run: () => call(trellis.compose, { configName: 'config' }),
      message: 'compose(): options.repo must be an object, got undefined',
    },
    {
      name: 'selectPath on a plain object',
      run: () => call(trellis.selectPath, { a: 1 }, 'a'),
      message: 'selectPath(): root must be a config node (made by fromPlain), got an object',
    },
    {
      name: 'createFsRepository with one string',
      run: () => call(trellis.createFsRepository, 'conf'),
      message: 'createFsRepository(): dirs must be an array of strings, got the string "conf"',
    },
    {
      name: 'createMemoryRepository with nothing',
      run: () => call(trellis.createMemoryRepository),
      message: 'createMemoryRepository(): files must be an object, got undefined',
    },
    { name: 'parseOverride with a number', run: () => call(trellis.parseOverride, 3), message: 'parseOverride(): text must be a string, got number 3' },
    {
      name: 'parseOverrides with a string',
      run: () => call(trellis.parseOverrides, 'a=1'),
      message: 'parseOverrides(): texts must be an array of strings, got the string "a=1"',
    },
    {
      name: 'formatError with an Error',
      run: () => call(trellis.formatError, new Error('x')),
      message: 'formatError(): error must be a TrellisError, got an object',
    },
    {
      name: 'toPlain with a plain value',
      run: () => call(trellis.toPlain, 1),
      message: 'toPlain(): node must be a config node (made by fromPlain), got number 1',
    },
    {
      name: 'toYamlText with undefined',
      run: () => call(trellis.toYamlText),
      message: 'toYamlText(): node must be a config node (made by fromPlain), got undefined',
    },
    {
      name: 'toJsonText with an array',
      run: () => call(trellis.toJsonText, []),
      message: 'toJsonText(): node must be a config node (made by fromPlain), got an array',
    },
    { name: 'loadYaml without a file name', run: () => call(trellis.loadYaml, 'a: 1'), message: 'loadYaml(): file must be a string, got undefined' },
    {
      name: 'openStore with one root string',
      run: () => call(trellis.openStore, 'outputs'),
      message: 'openStore(): roots must be an array of strings, got the string "outputs"',
    },
    {
      name: 'queryRuns without a store',
      run: () => call(trellis.queryRuns, undefined, 'a = 1'),
      message: 'queryRuns(): store must be an object, got undefined',
    },
    { name: 'findRun with a number', run: () => call(trellis.findRun, 42), message: 'findRun(): ref must be a string, got number 42' },
    {
      name: 'tagRun with one tag string',
      run: () => call(trellis.tagRun, 'outputs/x', 'best'),
      message: 'tagRun(): tags must be an array of strings, got the string "best"',
    },
    { name: 'noteRun without text', run: () => call(trellis.noteRun, 'outputs/x'), message: 'noteRun(): text must be a string, got undefined' },
    {
      name: 'diffRuns with strings',
      run: () => call(trellis.diffRuns, 'a', 'b'),
      message: 'diffRuns(): a must be an object, got the string "a"; b must be an object, got the string "b"',
    },
    { name: 'explainKey without a key', run: () => call(trellis.explainKey, {}), message: 'explainKey(): key must be a string, got undefined' },
    {
      name: 'verifyMetrics with a string tolerance',
      run: () => call(trellis.verifyMetrics, {}, {}, '1e-3'),
      message: 'verifyMetrics(): tolerance must be a number, got the string "1e-3"',
    },
    {
      name: 'parseQuery with a string date',
      run: () => call(trellis.parseQuery, 'a = 1', '2026-01-01'),
      message: 'parseQuery(): now must be a Date, got the string "2026-01-01"',
    },
    { name: 'defineApp without a job', run: () => call(trellis.defineApp, {}), message: 'defineApp(): job must be a function, got undefined' },
  ])('$name', ({ run, message }) => {
    let thrown: unknown;
    try {
      run();
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(trellis.TrellisError);
    expect(thrown).toMatchObject({ code: 'USAGE', message });
  });

  it.each([
    { name: 'rerun with a number', run: () => call(trellis.rerun, 7), message: 'rerun(): run must be a string or an object, got number 7' },
    { name: 'detectDrift with nothing', run: () => call(trellis.detectDrift), message: 'detectDrift(): records must be an object, got undefined' },
  ])('async: $name', async ({ run, message }) => {
    await expect(Promise.resolve().then(run)).rejects.toMatchObject({ code: 'USAGE', message });
  });
});
