import module from 'node:module';

/**
 * Node ≥ 22.1 can keep the code it compiled for modules on disk and reuse it in the next process
 * (in `os.tmpdir()/node-compile-cache` unless NODE_COMPILE_CACHE names another folder;
 * NODE_DISABLE_COMPILE_CACHE=1 turns it off). trellis turns it on where it starts: a command,
 * an app's main(), and a job thread, whose second import of the app's modules is most of what
 * the thread costs. It covers the modules loaded after the call. Older Node has no such cache,
 * and this does nothing there.
 */
export function enableCompileCache(): void {
  (module as { enableCompileCache?: () => unknown }).enableCompileCache?.();
}
