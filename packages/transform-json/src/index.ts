export { JsonTransformer } from './json-transformer.js';
export { JsonTextTransformer } from './json-text-transformer.js';
export { JsonStreamTransformer } from './json-stream-transformer.js';
export type { JsonTransformerOptions } from './json-options.js';
export { DEFAULT_MAX_DEPTH, DEFAULT_MAX_INTEGER_DIGITS, DEFAULT_MAX_MESSAGE_SIZE } from './json-options.js';
// The core types this package's signatures use, so that a project that installs only this package can name them.
export type { EventPipe, EventTransformerPipe, Pipe, StreamTransformer, Transformer, TransformerPipe } from '@cbor-rpc/core';
export { DecodeError, EncodeError } from '@cbor-rpc/core';
