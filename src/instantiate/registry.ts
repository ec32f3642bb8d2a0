import { TrellisError } from '../errors/index.js';
import type { ConfigSchema } from '../validate/validate.js';

/**
 * Something `_target_` can name: a function (called) or a class (constructed with `new`).
 * `any` parameters: configs are untyped data; a schema, when given, checks what reaches the factory.
 */
export type TargetFactory = ((...args: any[]) => unknown) | (abstract new (...args: any[]) => unknown);

export interface TargetEntry {
  name: string;
  factory: TargetFactory;
  /** Checks (and may default or coerce) the keyword arguments before the factory is called. */
  schema?: ConfigSchema | undefined;
}

/**
 * Names a config's `_target_` may use besides modules of the project: `adam`, or a Hydra
 * config's Python target (`torch.optim.Adam`) mapped onto a TypeScript factory. One per app.
 */
export class TargetRegistry {
  readonly #entries = new Map<string, TargetEntry>();

  register(name: string, factory: TargetFactory, schema?: ConfigSchema): this {
    if (typeof name !== 'string' || name.trim() === '' || name.startsWith('.') || name.startsWith('/'))
      throw new TrellisError('USAGE', `Cannot register the target name '${String(name)}'`, {
        hint: 'a registered name is a plain name such as adam or torch.optim.Adam; paths (./src/x.js:Name) are found without registering',
      });
    if (typeof factory !== 'function') throw new TrellisError('USAGE', `register('${name}', …) needs a function or a class, got ${typeof factory}`);
    this.#entries.set(name, { name, factory, schema });
    return this;
  }

  get(name: string): TargetEntry | undefined {
    return this.#entries.get(name);
  }

  names(): string[] {
    return [...this.#entries.keys()];
  }
}
