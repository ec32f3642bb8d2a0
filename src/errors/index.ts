export { ERROR_CODES, type ErrorCode } from './codes.js';
export { TrellisError, isTrellisError, type ErrorChanges, type ErrorWhere, type TrellisErrorOptions } from './trellis-error.js';
export { ErrorCollector, collectErrors } from './collect-errors.js';
export { formatError, type FormatOptions } from './format-error.js';
export { closest, didYouMean } from './suggest.js';
