/** A stream the commands write to. */
export interface OutputStream {
  /** Writes `data`; `callback` runs once the stream took it (with the error, if it failed). */
  write(data: string | Uint8Array, callback?: (error?: Error | null) => void): unknown;
  /** True on a terminal. */
  isTTY?: boolean;
}

/** Where the commands write: stdout carries results and events, stderr everything else. */
export interface Io {
  /** Results and events. */
  stdout: OutputStream;
  /** Logs, progress, warnings and errors. */
  stderr: OutputStream;
}

/** This process's stdout and stderr. */
export function processIo(): Io {
  return { stdout: process.stdout, stderr: process.stderr };
}

/** Writes `data` and resolves once the stream took it, so nothing is lost when the process exits right after. */
export function writeTo(stream: OutputStream, data: string | Uint8Array): Promise<void> {
  return new Promise((resolve, reject) => {
    stream.write(data, (error) => (error ? reject(error) : resolve()));
  });
}
