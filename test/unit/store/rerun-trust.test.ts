import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { inlineCodeCluster, rerunTrustProblems } from '../../../src/store/rerun-trust.js';

describe('inlineCodeCluster', () => {
  it.each([
    { command: ['sh', '-ec', 'echo ran'], found: '-ec' },
    { command: ['bash', '-xc', 'echo ran'], found: '-xc' },
    { command: ['bash', '-lc', 'echo ran'], found: '-lc' },
    { command: ['/usr/bin/python3', '-Sc', 'print(1)'], found: '-Sc' },
    { command: ['python3', '-Ic', 'print(1)'], found: '-Ic' },
    { command: ['python3', '-cpass'], found: '-cpass' },
    { command: ['node', '-pe', '0'], found: '-pe' },
    { command: ['node', '-e0'], found: '-e0' },
    { command: ['perl', '-lne', 'print'], found: '-lne' },
    { command: ['php', '-r', 'echo 1;'], found: '-r' },
    // Past prefix programs with their options and settings.
    { command: ['env', '-i', 'FOO=1', 'bash', '-ec', 'x'], found: '-ec' },
    { command: ['timeout', '10', 'nice', '-n', '5', 'sh', '-ec', 'x'], found: '-ec' },
    // Past an option's value to the next option.
    { command: ['bash', '-o', 'pipefail', '-ec', 'x'], found: '-ec' },
    { command: ['python3', '-W', 'ignore', '-Sc', 'x'], found: '-Sc' },
    // Options after the script are the script's.
    { command: ['python3', 'train.py', '-Sc', 'cfg'], found: undefined },
    { command: ['bash', 'run.sh', '-ec'], found: undefined },
    { command: ['python3', '-u', 'train.py'], found: undefined },
    { command: ['python3', '-Wignore', 'train.py'], found: undefined },
    { command: ['python3', '-m', 'train'], found: undefined },
    { command: ['node', '-r', 'ts-node/register', 'train.ts'], found: undefined },
    // Not an interpreter: its options are its own.
    { command: ['./train', '-ec', 'x'], found: undefined },
    { command: ['tar', '-xcf', 'a.tar'], found: undefined },
  ])('$command.0 $command.1 $command.2 → $found', ({ command, found }) => {
    expect(inlineCodeCluster(command)).toBe(found);
  });
});

describe('rerunTrustProblems', () => {
  it('names a combined inline-code option as a problem', () => {
    const project = mkdtempSync(join(tmpdir(), 'trellis-trust-'));
    writeFileSync(join(project, 'README'), '');
    const problems = rerunTrustProblems({ cwd: project, configDir: 'conf', command: ['sh', '-ec', 'echo ran'], storeRoots: [] }, project);
    expect(problems).toEqual(['the command runs inline code: -ec ("sh -ec echo ran")']);
  });
});
