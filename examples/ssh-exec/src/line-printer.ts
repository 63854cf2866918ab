/**
 * Prints a stream of byte chunks line by line, each line prefixed, as the
 * chunks arrive (so a remote command's output shows while it runs). A last
 * line without a newline is printed by `flush`.
 */
export class LinePrinter {
  readonly #decoder = new TextDecoder();
  readonly #print: (line: string) => void;
  #partial = '';

  constructor(print: (line: string) => void) {
    this.#print = print;
  }

  /** Prints every line that `chunk` completes. */
  write(chunk: Uint8Array): void {
    const lines = (this.#partial + this.#decoder.decode(chunk, { stream: true })).split('\n');
    this.#partial = lines.pop()!;
    for (const line of lines) this.#print(line);
  }

  /** Prints what is left of an unfinished last line. */
  flush(): void {
    const rest = this.#partial + this.#decoder.decode();
    this.#partial = '';
    if (rest !== '') this.#print(rest);
  }
}
