import { describe, expect, it } from 'vitest';
import type { SweepRecord } from '../../../src/records/sweep-record.js';
import { renderSweepView, sweepView } from '../../../src/sweep/show.js';

const record = (mode: string, jobs: Partial<SweepRecord['jobs'][number]>[]): SweepRecord =>
  ({
    strategy: 'tpe',
    seed: 1,
    objective: { name: 'loss', mode },
    jobs: jobs.map((j, num) => ({ num, overrides: [`x=${num}`], status: 'completed', dir: String(num), objective: null, error: null, ...j })),
  }) as SweepRecord;

describe('sweep show', () => {
  it.each([
    { name: 'min: the lowest, ties to the earlier trial', mode: 'min', values: [3, 1, 1, 2], best: 1 },
    { name: 'max: the highest', mode: 'max', values: [3, 1, 4, 2], best: 2 },
  ])('best trial, $name', ({ mode, values, best }) => {
    expect(
      sweepView(
        record(
          mode,
          values.map((objective) => ({ objective })),
        ),
      ).best?.num,
    ).toBe(best);
  });

  it('failed, pruned and unscored trials are never the best', () => {
    const view = sweepView(
      record('min', [
        { status: 'failed', objective: null },
        { status: 'pruned', objective: 0.1, state: 'pruned' },
        { status: 'completed', objective: null, state: 'failed' },
      ]),
    );
    expect(view.best).toBeNull();
    expect(renderSweepView(view)).toContain('best: none yet (no completed trial with a value of loss)');
  });

  it('one column per recorded parameter, blank where a trial lacks it', () => {
    const text = renderSweepView(
      sweepView(
        record('min', [
          { objective: 0.5, state: 'complete', params: { opt: 'sgd', 'opt.momentum': 0.912345678 } },
          { objective: 0.25, state: 'complete', params: { opt: 'adam' } },
        ]),
      ),
    );
    expect(text).toBe(
      [
        '#  status    loss  opt   opt.momentum  dir',
        '-  --------  ----  ----  ------------  ---',
        '0  complete   0.5  sgd   0.912346      0',
        '1  complete  0.25  adam                1',
        '',
        'best: #1 loss=0.25 (min) x=1  [1]',
        '',
      ].join('\n'),
    );
  });
});
