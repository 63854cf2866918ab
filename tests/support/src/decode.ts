// Feeding byte chunks to a stream transformer by hand, for the transformers' own suites.

/** The part of a stream transformer these helpers use. */
export interface ChunkDecoder {
  decodeChunk(chunk: Uint8Array, out: unknown[]): void;
}

/**
 * Feeds `chunks` in order, stopping at the first that throws; returns the
 * messages decoded, what decoding threw (undefined when nothing did) and the
 * index of the chunk that threw (-1 when none did).
 */
export function decodeChunks(decoder: ChunkDecoder, chunks: readonly Uint8Array[]): { out: unknown[]; error: unknown; failedAt: number } {
  const out: unknown[] = [];
  for (let i = 0; i < chunks.length; i++) {
    try {
      decoder.decodeChunk(chunks[i]!, out);
    } catch (error) {
      return { out, error, failedAt: i };
    }
  }
  return { out, error: undefined, failedAt: -1 };
}

/** `bytes` cut into chunks of one byte each: the hardest split for a stream decoder. */
export function oneBytePerChunk(bytes: Uint8Array): Uint8Array[] {
  return Array.from({ length: bytes.length }, (_, i) => bytes.subarray(i, i + 1));
}
