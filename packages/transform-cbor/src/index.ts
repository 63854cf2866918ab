export { CborTransformer } from './cbor-transformer.js';
export { CborStreamTransformer } from './cbor-stream-transformer.js';
export { decodeCbor, encodeCbor } from './codec.js';
export type { CborOptions, UnknownTags } from './options.js';
export { DEFAULT_ALLOW_INDEFINITE, DEFAULT_MAX_DEPTH, DEFAULT_MAX_MESSAGE_SIZE, DEFAULT_UNKNOWN_TAGS } from './options.js';
export { Simple, Tag } from 'cbor2';
// The core types this package's signatures use, so that a project that installs only this package can name them.
export type { EventPipe, EventTransformerPipe, Pipe, StreamTransformer, Transformer, TransformerPipe } from '@cbor-rpc/core';
export { DecodeError, EncodeError } from '@cbor-rpc/core';
