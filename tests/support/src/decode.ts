// Feeding byte chunks to a stream transformer by hand, for the transformers' own suites.

/** The part of a stream transformer these helpers use. */
export interface ChunkDecoder {
  decodeChunk(chunk: Uint8Array, out: unknown[]): void;
}

/** Feeds `chunks` in order; returns the messages decoded and what decoding threw (undefined when nothing did). */
export function decodeChunks(decoder: ChunkDecoder, chunks: readonly Uint8Array[]): { out: unknown[]; error: unknown } {
  const out: unknown[] = [];
  try {
    for (const chunk of chunks) decoder.decodeChunk(chunk, out);
    return { out, error: undefined };
  } catch (error) {
    return { out, error };
  }
}
