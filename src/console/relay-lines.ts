/** Calls `print` with each whole line of a text stream (and the last, unterminated one at its end). */
export function relayLines(stream: NodeJS.ReadableStream | null, print: (line: string) => void): void {
  let pending = '';
  stream?.setEncoding('utf8');
  stream?.on('data', (chunk: string) => {
    pending += chunk;
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) print(line);
  });
  stream?.on('end', () => {
    if (pending) print(pending);
  });
}
