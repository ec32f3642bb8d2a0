#!/usr/bin/env node
import { enableCompileCache } from '../console/compile-cache.js';
import { main } from './main.js';

// Before the command's own modules load: main imports each command when it is asked for.
enableCompileCache();
main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`trellis: ${String(error)}\n`);
    process.exitCode = 70;
  },
);
