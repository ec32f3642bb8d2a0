export { instantiate, type InstantiateOptions } from './instantiate.js';
export { TargetRegistry, type TargetEntry, type TargetFactory } from './registry.js';
