import { createRequire } from 'node:module';

type YamlPackage = typeof import('yaml');
let loaded: YamlPackage | undefined;

/**
 * The `yaml` package, loaded on first use, synchronously (loading YAML is synchronous). It
 * takes about 20 ms to load, and most config files are read without it (block-subset.ts).
 */
export function yamlPackage(): YamlPackage {
  return (loaded ??= createRequire(import.meta.url)('yaml') as YamlPackage);
}
