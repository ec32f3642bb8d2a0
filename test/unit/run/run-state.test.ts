import { describe, expect, it } from 'vitest';
import { observedStatus } from '../../../src/run/run-state.js';

const now = new Date('2026-11-23T10:00:00Z');

describe('observedStatus', () => {
  it.each([
    { name: 'completed', run: { status: 'completed' }, expected: 'completed' },
    { name: 'failed', run: { status: 'failed' }, expected: 'failed' },
    { name: 'interrupted', run: { status: 'interrupted' }, expected: 'interrupted' },
    { name: 'fresh heartbeat', run: { status: 'running', heartbeat: '2026-11-23T09:59:55Z', heartbeat_interval_s: 5 }, expected: 'running' },
    { name: 'three missed beats', run: { status: 'running', heartbeat: '2026-11-23T09:59:44Z', heartbeat_interval_s: 5 }, expected: 'crashed' },
    { name: 'no heartbeat', run: { status: 'running' }, expected: 'unknown' },
    { name: 'garbage', run: { status: 42 }, expected: 'unknown' },
  ])('$name', ({ run, expected }) => {
    expect(observedStatus(run, now)).toBe(expected);
  });
});
