/**
 * Loads a YAML mapping of N keys (`key_i: value`, ints and strings alternating) through
 * trellis's loader (dist/), once warm-up then timed, for each N given. Prints JSON: per size the
 * keys, the text's bytes, and the ms (null with the reason when the loader refuses the text).
 * Usage: node yaml-growth.mjs N [N…]
 */
import { loadYaml } from '../../dist/src/yaml/load.js';

const textOf = (n) => `${Array.from({ length: n }, (_, i) => `key_${i}: ${i % 2 ? i : `value ${i}`}`).join('\n')}\n`;
loadYaml(textOf(1000), 'warmup.yaml');
const sizes = process.argv.slice(2).map((arg) => {
  const keys = Number(arg);
  const text = textOf(keys);
  const t0 = process.hrtime.bigint();
  try {
    loadYaml(text, 'growth.yaml');
    return { keys, bytes: Buffer.byteLength(text), ms: Number(process.hrtime.bigint() - t0) / 1e6 };
  } catch (error) {
    return { keys, bytes: Buffer.byteLength(text), ms: null, refused: error.code ?? String(error) };
  }
});
console.log(JSON.stringify({ sizes }));
