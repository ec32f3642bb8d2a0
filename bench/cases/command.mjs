/** Command jobs: `@trellis` metrics lines per second through relayCommandOutput, from a real child process. */
import { median, probe, removeDir, row, tempDir } from '../lib/util.mjs';

export const title = 'Command job output';

export async function run({ reps }) {
  const lines = reps < 5 ? 300_000 : 1_000_000;
  const samples = { relay: [], drain: [], devnull: [] };
  // Interleaved, so that drift in machine load hits the three alike.
  for (let i = 0; i < Math.max(3, Math.ceil(reps / 3)); i++) {
    for (const mode of ['drain', 'relay', 'devnull']) {
      const dir = tempDir('command');
      try {
        samples[mode].push(probe('command-output.mjs', [String(lines), mode, dir]));
      } finally {
        removeDir(dir);
      }
    }
  }
  const rate = (runs) => median(runs.map((r) => r.lines / (r.ms / 1000)));
  const value = rate(samples.relay);
  const cpuPerLine = median(samples.relay.map((r) => (r.cpuMs * 1000) / r.lines));
  return [
    row({
      id: 'command.metricLines',
      name: 'metrics lines through a command job’s stdout',
      value,
      unit: 'lines/s',
      baseline: rate(samples.drain),
      baselineName: 'the same child, its stdout read and dropped',
      target: '≥ 200,000 lines/s, none lost',
      pass: value >= 200_000,
      note: `${lines.toLocaleString('en-US')} lines from \`node -e\` in 64 KiB Buffers, every one counted in metrics.jsonl; the child printing to /dev/null: ${Math.round(rate(samples.devnull)).toLocaleString('en-US')} lines/s; the relaying process spends ${cpuPerLine.toFixed(2)} µs of CPU per line`,
    }),
  ];
}
