import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { maskedCrc32c } from '../../../../src/bridges/tensorboard/masked-crc.js';
import { frameRecord, readRecords } from '../../../../src/bridges/tensorboard/record-framing.js';
import { decodeEvent, encodeEvent, FILE_VERSION, scalarOf } from '../../../../src/bridges/tensorboard/event.js';
import { EventEncoder } from '../../../../src/bridges/tensorboard/event-encoder.js';
import { decodeEventFile } from '../../../../src/bridges/tensorboard/read-events.js';
import { readSessionData, sessionEndValue, sessionStartValue, SESSION_END_TAG, SESSION_START_TAG } from '../../../../src/bridges/tensorboard/hparams.js';
import { errorOf } from '../../../helpers/errors.js';

const FIXTURES = join(import.meta.dirname, '../../../fixtures/tensorboard');
const golden = (name: string) => readFileSync(join(FIXTURES, name));

describe('masked CRC32C', () => {
  // Expected values from tensorboardX's record_writer.masked_crc32c (the first also by hand:
  // crc32c("123456789") = 0xe3069283, rotated right by 15 = 0x2507c60d, + 0xa282ead8).
  it.each([
    { name: 'check string', input: Buffer.from('123456789'), expected: 0xc78ab0e5 },
    { name: 'empty', input: Buffer.alloc(0), expected: 0xa282ead8 },
    { name: 'bytes 0..31', input: Buffer.from(Array.from({ length: 32 }, (_, i) => i)), expected: 0x951f7892 },
  ])('$name', ({ input, expected }) => {
    expect(maskedCrc32c(input)).toBe(expected);
  });
});

/** What make_golden.py logged into scalars.tfevents, one add_scalar each; values as float32. */
const GOLDEN_SCALARS: { tag: string; step: number; wallTime: number; value: number }[] = [
  { tag: 'loss', step: 0, wallTime: 1700000000.25, value: 0.5 },
  { tag: 'loss', step: 1, wallTime: 1700000001.5, value: 0.25 },
  { tag: 'val/acc', step: 1, wallTime: 1700000001.5, value: Math.fround(0.1) },
  { tag: 'loss', step: 2, wallTime: 1700000002.0, value: 0 },
  { tag: 'loss', step: 300, wallTime: 1700000003.0, value: -3.75 },
  { tag: 'lr', step: 70000, wallTime: 1700000004.0, value: Math.fround(1e-4) },
  { tag: 'big', step: 2 ** 40, wallTime: 1700000005.0, value: Math.fround(3.0e38) },
  { tag: 'weird', step: 5, wallTime: 1700000006.0, value: Number.NaN },
  { tag: 'weird', step: 6, wallTime: 1700000007.0, value: Number.POSITIVE_INFINITY },
  { tag: 'weird', step: 7, wallTime: 1700000008.0, value: Number.NEGATIVE_INFINITY },
  { tag: 'ünï/cödé', step: 8, wallTime: 1700000009.0, value: 1 },
];

describe('golden files written by tensorboardX', () => {
  it('reads every scalar of scalars.tfevents', () => {
    const { events, partialTail } = decodeEventFile(golden('scalars.tfevents'));
    expect(partialTail).toBe(0);
    expect(events[0]!.fileVersion).toBe(FILE_VERSION);
    const scalars = events.slice(1).map((e) => ({ tag: e.summary![0]!.tag, step: e.step, wallTime: e.wallTime, value: scalarOf(e.summary![0]!) }));
    expect(scalars).toEqual(GOLDEN_SCALARS);
  });

  it('our encoder writes the same bytes for the same scalars', () => {
    const { records } = readRecords(golden('scalars.tfevents'));
    GOLDEN_SCALARS.forEach((s, i) => {
      const encoder = new EventEncoder({ initialBytes: 16 });
      expect(encoder.scalars({ [s.tag]: s.value }, s.step, s.wallTime)).toBe(1);
      expect(Buffer.from(encoder.take())).toEqual(frameRecord(records[i + 1]!));
    });
  });

  it('our file-version event matches in all but the wall time', () => {
    const first = decodeEventFile(golden('scalars.tfevents')).events[0]!;
    const ours = new EventEncoder().fileVersion(first.wallTime).take();
    expect(Buffer.from(ours)).toEqual(frameRecord(readRecords(golden('scalars.tfevents')).records[0]!));
  });

  it('reads the HParams session data of hparams.tfevents', () => {
    const { events } = decodeEventFile(golden('hparams.tfevents'));
    const plugin = events.flatMap((e) => e.summary ?? []).filter((v) => v.plugin?.name === 'hparams');
    expect(plugin.map((v) => v.tag)).toEqual([SESSION_START_TAG, SESSION_END_TAG]);
    const start = readSessionData(plugin[0]!.plugin!.content).start!;
    expect({ ...start.hparams }).toEqual({ 'optimizer.name': 'adam', 'optimizer.lr': 0.01, 'model.depth': 3, zero: 0, flag: true, off: false, empty: '' });
    expect(start.groupName).toBe('');
    expect(readSessionData(plugin[1]!.plugin!.content).end).toEqual({ status: 'success', endTimeSecs: 0 });
  });

  it('our session data parses the same, and the end record is byte for byte the same', () => {
    const { records } = readRecords(golden('hparams.tfevents'));
    const theirs = records.map((r) => decodeEvent(r));
    const startAt = theirs.findIndex((e) => e.summary?.[0]?.tag === SESSION_START_TAG);
    const endAt = theirs.findIndex((e) => e.summary?.[0]?.tag === SESSION_END_TAG);
    const hparams = { 'optimizer.name': 'adam', 'optimizer.lr': 0.01, 'model.depth': 3, zero: 0, flag: true, off: false, empty: '' };
    const ours = encodeEvent({ wallTime: 1700000000, step: 0, summary: [sessionStartValue(hparams, 0)] });
    // Map entries may come in any order (Python writes them in its own): compare what they say.
    const oursStart = readSessionData(decodeEvent(ours).summary![0]!.plugin!.content);
    expect(oursStart).toEqual(readSessionData(theirs[startAt]!.summary![0]!.plugin!.content));
    expect(Buffer.from(encodeEvent({ wallTime: 1700000011, step: 0, summary: [sessionEndValue('success', 0)] }))).toEqual(Buffer.from(records[endAt]!));
  });
});

describe('our writer against our reader', () => {
  it('round-trips rows of several metrics, skipping strings and booleans', () => {
    const encoder = new EventEncoder({ initialBytes: 8 });
    encoder.fileVersion(1);
    encoder.scalars({ loss: 1.5, acc: 0.3, phase: 'train', done: false }, 0, 10.5);
    encoder.scalars({ loss: 0, acc: 1e-30 }, 12345678901, 11);
    expect(encoder.scalars({ phase: 'eval' }, 3, 12)).toBe(0);
    const { events } = decodeEventFile(Buffer.from(encoder.take()));
    expect(events.map((e) => ({ step: e.step, wallTime: e.wallTime, values: e.summary?.map((v) => [v.tag, scalarOf(v)]) }))).toEqual([
      { step: 0, wallTime: 1, values: undefined },
      {
        step: 0,
        wallTime: 10.5,
        values: [
          ['loss', 1.5],
          ['acc', Math.fround(0.3)],
        ],
      },
      {
        step: 12345678901,
        wallTime: 11,
        values: [
          ['loss', 0],
          ['acc', Math.fround(1e-30)],
        ],
      },
    ]);
  });

  it('session start and end round-trip', () => {
    const start = sessionStartValue({ a: 1, 'b.c': 'x', d: true }, 1700000000.5, 'g');
    const end = sessionEndValue('failure', 1700000100.25);
    expect(readSessionData(start.plugin!.content).start).toEqual({ hparams: { a: 1, 'b.c': 'x', d: true }, groupName: 'g', startTimeSecs: 1700000000.5 });
    expect(readSessionData(end.plugin!.content).end).toEqual({ status: 'failure', endTimeSecs: 1700000100.25 });
  });
});

describe('damaged files', () => {
  const file = () => Buffer.from(golden('scalars.tfevents'));
  const second = () => 16 + readRecords(golden('scalars.tfevents')).records[0]!.length;
  it.each([
    { name: 'a flipped data byte', damage: (b: Buffer) => (b[second() + 14]! ^= 0x01), part: 'record 1 at byte 40 fails its data CRC32C' },
    { name: 'a flipped length byte', damage: (b: Buffer) => (b[second()]! ^= 0x01), part: 'record 1 at byte 40 fails its length CRC32C' },
    { name: 'a flipped CRC byte', damage: (b: Buffer) => (b[second() + 8]! ^= 0x80), part: 'record 1 at byte 40 fails its length CRC32C' },
  ])('$name is detected', ({ damage, part }) => {
    const bytes = file();
    damage(bytes);
    const error = errorOf(() => decodeEventFile(bytes, 'x.tfevents'));
    expect(error.code).toBe('RUN_RECORD_INVALID');
    expect(error.message).toContain(part);
  });

  it('a record cut short is left for later, the ones before it read', () => {
    const bytes = file();
    const { events, partialTail } = decodeEventFile(bytes.subarray(0, bytes.length - 3));
    expect(events).toHaveLength(GOLDEN_SCALARS.length);
    expect(partialTail).toBeGreaterThan(0);
  });
});
