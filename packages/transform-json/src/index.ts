export { JsonTransformer } from './json-transformer.js';
export { JsonTextTransformer } from './json-text-transformer.js';
export { JsonStreamTransformer } from './json-stream-transformer.js';
export type { JsonTransformerOptions } from './json-options.js';
export { DEFAULT_MAX_DEPTH, DEFAULT_MAX_INTEGER_DIGITS, DEFAULT_MAX_MESSAGE_SIZE } from './json-options.js';
