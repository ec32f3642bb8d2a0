/** OmegaConf 2.2 interpolation: grammar, lazy resolution over the config tree, resolvers. */
export { checkInterpolationSyntax, checkTreeSyntax, findSyntaxErrors, parseElement, parseValue } from './check-syntax.js';
export { pythonRepr, pythonStr } from './python-str.js';
export { pythonStringRepr } from '../util/python.js';
export { ResolverRegistry, type ResolverEntry, type ResolverOptions } from './registry.js';
export { resolveTree, resolveValueAt, selectNode, type PathSegment } from './resolve.js';
export { createDefaultResolvers } from './resolvers.js';
export { strftime } from './strftime.js';
export type { ResolveContext, ResolverCall, ResolverFn, ResolverResult } from './types.js';
