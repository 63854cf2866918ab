/** What the helpers need of a pipe of bytes (any subclass of StreamPipe fits). */
export interface BytePipe {
  readonly closed: boolean;
  on(event: 'data', handler: (chunk: Uint8Array) => unknown): unknown;
  once(event: 'close', handler: (reason?: unknown) => unknown): unknown;
}

/** Collects every byte `pipe` receives. */
export function collect(pipe: BytePipe): number[] {
  const bytes: number[] = [];
  pipe.on('data', (chunk) => {
    for (const byte of chunk) bytes.push(byte);
  });
  return bytes;
}

/** Resolves with the reason `pipe` closes with. */
export function closed(pipe: BytePipe): Promise<unknown> {
  return new Promise((resolve) => {
    if (pipe.closed) resolve(undefined);
    else pipe.once('close', (reason) => resolve(reason));
  });
}
