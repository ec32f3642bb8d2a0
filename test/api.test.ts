import { expect, it } from 'vitest';
import * as trellis from '../src/index.js';

// The package's value exports, written out by hand: adding or dropping one is an API change, so
// it should show up here in review (vitest's test/unit/test/exports.test.ts does the same).
// Types are erased at run time; tsc checks those.
it('exports exactly the public values', () => {
  expect(Object.keys(trellis).sort()).toEqual([
    'ERROR_CODES',
    'ResolverRegistry',
    'StoredRun',
    'TargetRegistry',
    'TrellisError',
    'compose',
    'composeFromDir',
    'createDefaultResolvers',
    'createFsRepository',
    'createMemoryRepository',
    'defineApp',
    'detectDrift',
    'diffRuns',
    'expandJobs',
    'explainKey',
    'findRun',
    'formatError',
    'fromPlain',
    'instantiate',
    'isTrellisError',
    'loadYaml',
    'noteRun',
    'openConfigDir',
    'openStore',
    'parseOverride',
    'parseOverrides',
    'parseQuery',
    'planJobs',
    'queryRuns',
    'rerun',
    'resolveComposition',
    'selectPath',
    'tagRun',
    'toJsonText',
    'toPlain',
    'toYamlText',
    'verifyMetrics',
  ]);
});
