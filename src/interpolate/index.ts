/** OmegaConf 2.2 interpolation: grammar, lazy resolution over the config tree, resolvers. */
export type { Element, Interpolation, Text } from './ast.js';
export { checkInterpolationSyntax, checkTreeSyntax, findSyntaxErrors, parseElement, parseValue } from './check-syntax.js';
export { pythonRepr, pythonStr } from './python-str.js';
export { pythonScalarStr, pythonStringRepr } from '../util/python.js';
export { ResolverRegistry, type ResolverEntry, type ResolverOptions } from './registry.js';
export { resolveTree, resolveValueAt, selectNode, type PathSegment, type SelectOptions } from './resolve.js';
export { createDefaultResolvers } from './resolvers.js';
export { splitKey } from '../util/key-path.js';
export { strftime } from './strftime.js';
export type { ResolveContext, ResolverCall, ResolverFn, ResolverResult } from './types.js';
