// The filesystem service's methods. Paths are relative to the served
// directory ("/" is that directory itself); file contents travel as bytes
// (CBOR byte strings, Uint8Array in JavaScript), never as base64 text.

/** One directory entry, or what `stat` says of a path. */
export interface FsEntry {
  name: string;
  type: 'file' | 'directory' | 'other';
  /** Size in bytes (0 for directories). */
  size: number;
}

/** What the fs-rpc server answers. */
export interface FsApi {
  /** The entries of a directory, sorted by name. */
  list(path: string): FsEntry[];
  /** What the path is. */
  stat(path: string): FsEntry;
  /** Up to `length` bytes from `offset`; fewer at the end of the file, none past it. */
  read(path: string, offset: number, length: number): Uint8Array;
  /** Creates an empty file, or empties an existing one. */
  create(path: string): void;
  /** Writes `data` at `offset` into an existing file; returns the bytes written. */
  write(path: string, offset: number, data: Uint8Array): number;
  /** Creates a directory and its missing parents. */
  mkdir(path: string): void;
  /** Deletes a file or an empty directory. */
  delete(path: string): void;
  /** Renames (moves) a file or directory; an existing file at `to` is replaced. */
  rename(from: string, to: string): void;
  /** The SHA-256 of a file's contents, in hex, computed by the server. */
  sha256(path: string): string;
}

/** Largest `read` length and `write` data the server accepts, in bytes: far below the 16 MiB CBOR message limit. */
export const MAX_CHUNK = 1024 * 1024;
