/**
 * The last bytes of a stream of chunks, such as a process's stderr, kept to
 * be quoted when it ends (`bash: foo: command not found`). Holds at most
 * `maxBytes` bytes, whatever the stream's size.
 */
export class OutputTail {
  readonly #maxBytes: number;
  #chunks: Uint8Array[] = [];
  #length = 0;

  /** Keeps the last `maxBytes` bytes pushed. */
  constructor(maxBytes: number) {
    this.#maxBytes = maxBytes;
  }

  /** Adds a chunk; the oldest bytes beyond `maxBytes` are dropped. Copies what it keeps, so a large chunk is not held whole. */
  push(chunk: Uint8Array): void {
    const kept = chunk.slice(Math.max(0, chunk.length - this.#maxBytes));
    this.#chunks.push(kept);
    this.#length += kept.length;
    while (this.#length - this.#chunks[0]!.length >= this.#maxBytes) this.#length -= this.#chunks.shift()!.length;
  }

  /** The kept bytes as UTF-8 text (at most `maxBytes` of them; a character cut at the start is dropped). */
  text(): string {
    const whole = new Uint8Array(this.#length);
    let at = 0;
    for (const chunk of this.#chunks) {
      whole.set(chunk, at);
      at += chunk.length;
    }
    let start = Math.max(0, whole.length - this.#maxBytes);
    while (start < whole.length && (whole[start]! & 0xc0) === 0x80) start++;
    return new TextDecoder().decode(whole.subarray(start));
  }
}
