import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scalarOf } from '../../../../src/bridges/tensorboard/event.js';
import { readSessionData } from '../../../../src/bridges/tensorboard/hparams.js';
import { readEventFile } from '../../../../src/bridges/tensorboard/read-events.js';
import { TensorBoardSink } from '../../../../src/bridges/tensorboard/sink.js';
import { tmpDir } from '../../../helpers/tmp-dir.js';

function sinkIn(dir: string, secrets: string[] = []) {
  let now = 1000;
  const sink = new TensorBoardSink(dir, { metricsPath: join(dir, 'metrics.jsonl'), config: { lr: 0.5, token: 'abc-secret-1' }, secrets, clock: () => now++ });
  const scalars = () =>
    readEventFile(sink.path).events.flatMap((e) => (e.summary ?? []).filter((v) => !v.plugin).map((v) => [v.tag, e.step, e.wallTime, scalarOf(v)]));
  return { sink, scalars };
}

describe('TensorBoardSink', () => {
  it('follows metrics.jsonl: whole lines only, a row without time at the previous one', () => {
    const dir = tmpDir();
    const { sink, scalars } = sinkIn(dir);
    expect(sink.path).toMatch(/tb\/events\.out\.tfevents\.0000001000\.[^/]+\.\d+\.\d+$/);
    sink.poll(); // no metrics file yet
    writeFileSync(join(dir, 'metrics.jsonl'), '{"step":0,"time":5,"loss":1}\n{"step":1,"time":6,"lo');
    sink.poll();
    expect(scalars()).toEqual([['loss', 0, 5, 1]]);
    appendFileSync(join(dir, 'metrics.jsonl'), 'ss":0.5}\n{"loss":0.25,"name":"x"}\n');
    sink.poll();
    expect(scalars()).toEqual([
      ['loss', 0, 5, 1],
      ['loss', 1, 6, 0.5],
      ['loss', 2, 6, 0.25],
    ]);
  });

  it('a character split between two polls is read whole', () => {
    const dir = tmpDir();
    const { sink, scalars } = sinkIn(dir);
    const line = Buffer.from('{"step":3,"time":7,"é":2}\n');
    const cut = line.indexOf(0xc3) + 1; // inside the two bytes of é
    writeFileSync(join(dir, 'metrics.jsonl'), line.subarray(0, cut));
    sink.poll();
    appendFileSync(join(dir, 'metrics.jsonl'), line.subarray(cut));
    sink.poll();
    expect(scalars()).toEqual([['é', 3, 7, 2]]);
  });

  it('starts with the session start (secrets redacted) and close() converts the rest and ends it', () => {
    const dir = tmpDir();
    const { sink, scalars } = sinkIn(dir, ['abc-secret-1']);
    writeFileSync(join(dir, 'metrics.jsonl'), '{"step":0,"time":5,"acc":0.5}\n');
    sink.close('failure');
    sink.close('success'); // harmless
    expect(scalars()).toEqual([['acc', 0, 5, 0.5]]);
    const plugin = readEventFile(sink.path)
      .events.flatMap((e) => e.summary ?? [])
      .filter((v) => v.plugin);
    expect(plugin.map((v) => readSessionData(v.plugin!.content))).toEqual([
      { start: { hparams: { lr: 0.5, token: '***' }, groupName: '', startTimeSecs: 1000 } },
      { end: { status: 'failure', endTimeSecs: 1001 } },
    ]);
  });
});
