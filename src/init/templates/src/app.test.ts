import assert from 'node:assert/strict';
import { test } from 'node:test';
import { app } from './app.js';
import { Polynomial } from './models.js';

test('a polynomial predicts from its coefficients', () => {
  const p = new Polynomial({ degree: 2 });
  p.coefficients = [1, 2, 3];
  assert.equal(p.predict(2), 1 + 2 * 2 + 3 * 4);
});

test('a short run completes and reports its loss', async () => {
  const result = await app.run(['epochs=5']);
  assert.equal(result.status, 'completed');
  assert.equal(typeof (result.returnValue as { loss: number }).loss, 'number');
});
