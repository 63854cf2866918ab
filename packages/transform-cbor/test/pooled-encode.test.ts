// The transformers' `encode` hands out views into shared 16 KiB blocks, so
// results must never overlap and must stay intact while later messages are encoded.
import { describe, expect, test } from '@jest/globals';
import { isDeepStrictEqual } from 'node:util';
import { decode } from 'cbor2';
import { CborStreamTransformer, CborTransformer, encodeCbor } from '../src/index.js';

describe('pooled encode results', () => {
  test('results kept across thousands of later encodes are unchanged and never overlap', () => {
    const transformer = new CborStreamTransformer();
    const kept: { message: unknown[]; bytes: Uint8Array; copy: Uint8Array }[] = [];
    for (let i = 0; i < 5000; i++) {
      const message = [1, 0, i, `method-${i % 7}`, ['x'.repeat(i % 300), i * 1.5, new Uint8Array(i % 50).fill(i % 256)]];
      const bytes = transformer.encode(message);
      kept.push({ message, bytes, copy: bytes.slice() });
    }
    for (const { bytes, copy } of kept) expect(Buffer.compare(Buffer.from(bytes), Buffer.from(copy))).toBe(0);
    expect(decode(kept[4321]!.bytes)).toEqual(kept[4321]!.message);
    const blocks = new Map<ArrayBufferLike, [number, number][]>();
    for (const { bytes } of kept) {
      const ranges = blocks.get(bytes.buffer) ?? [];
      ranges.push([bytes.byteOffset, bytes.byteOffset + bytes.byteLength]);
      blocks.set(bytes.buffer, ranges);
    }
    expect(blocks.size).toBeLessThan(kept.length); // results do share blocks
    for (const ranges of blocks.values()) {
      ranges.sort((a, b) => a[0] - b[0]);
      for (let i = 1; i < ranges.length; i++) expect(ranges[i]![0]).toBeGreaterThanOrEqual(ranges[i - 1]![1]);
    }
  });

  test("transferring one result's buffer leaves later encodes working", () => {
    const transformer = new CborTransformer();
    const first = transformer.encode([1, 2, 3]);
    const block = first.buffer as ArrayBuffer;
    structuredClone(block, { transfer: [block] });
    expect(first.byteLength).toBe(0);
    const next = transformer.encode(['after', 'transfer']);
    expect(decode(next)).toEqual(['after', 'transfer']);
  });

  test('a message that made the buffer grow past 1 MiB leaves in a buffer of about its own size', () => {
    const transformer = new CborStreamTransformer();
    for (const message of [
      Array.from({ length: 300_000 }, (_, i) => i),
      [new Uint8Array(3_000_000)],
      { rows: Array.from({ length: 100_000 }, (_, i) => ({ i, s: 'text' })) },
    ]) {
      const bytes = transformer.encode(message);
      expect(isDeepStrictEqual(decode(bytes), message)).toBe(true);
      expect(bytes.byteLength).toBeGreaterThan(1024 * 1024);
      expect(bytes.buffer.byteLength).toBeLessThanOrEqual(bytes.byteLength * 1.25 + 16 * 1024);
    }
  });

  test('encodeCbor returns a buffer of its own', () => {
    const bytes = encodeCbor([1, 2, 3]);
    expect(bytes.byteOffset).toBe(0);
    expect(bytes.buffer.byteLength).toBe(bytes.byteLength);
  });
});
