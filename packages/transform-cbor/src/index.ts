export { CborTransformer } from './cbor-transformer.js';
export { CborStreamTransformer } from './cbor-stream-transformer.js';
export { decodeCbor, encodeCbor } from './codec.js';
export type { CborOptions } from './options.js';
