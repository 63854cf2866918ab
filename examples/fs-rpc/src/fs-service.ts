import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat, mkdir, open, readdir, rename, rmdir, stat, unlink, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { MethodHandlers } from '@cbor-rpc/rpc';
import { type FsApi, type FsEntry, MAX_CHUNK } from './fs-api.js';
import { describingFsErrors, FsRequestError } from './fs-errors.js';
import { resolveInside } from './safe-path.js';

/**
 * The handlers of the filesystem service for the directory `root` (an
 * absolute, real path, as `fs.realpath` gives). Every argument comes from the
 * network, so each one is checked before use.
 */
export function createFsHandlers(root: string): MethodHandlers<FsApi> {
  /** Runs `action` on the server path of `path`, with errors that name only the client's path. */
  const at = <T>(path: string, action: (target: string) => Promise<T>): Promise<T> =>
    describingFsErrors(path, async () => action(await resolveInside(root, path)));

  return {
    list: (_context, path) =>
      at(path, async (dir) => {
        const names = (await readdir(dir)).sort();
        return Promise.all(names.map(async (name) => entry(name, await lstat(join(dir, name)))));
      }),

    stat: (_context, path) => at(path, async (target) => entry(basename(target), await stat(target))),

    read: (_context, path, offset, length) =>
      at(path, async (target) => {
        checkCount('offset', offset, Number.MAX_SAFE_INTEGER);
        checkCount('length', length, MAX_CHUNK);
        const file = await open(target, 'r');
        try {
          const { buffer, bytesRead } = await file.read(new Uint8Array(length), 0, length, offset);
          return buffer.subarray(0, bytesRead);
        } finally {
          await file.close();
        }
      }),

    create: (_context, path) => at(path, (target) => writeFile(target, new Uint8Array(0), { flag: 'w' })),

    write: (_context, path, offset, data) =>
      at(path, async (target) => {
        checkCount('offset', offset, Number.MAX_SAFE_INTEGER);
        if (!(data instanceof Uint8Array)) throw new FsRequestError('data must be bytes (a CBOR byte string)');
        if (data.length > MAX_CHUNK) throw new FsRequestError(`data must be at most ${MAX_CHUNK} bytes`);
        const file = await open(target, 'r+'); // the file must exist: `create` it first
        try {
          const { bytesWritten } = await file.write(data, 0, data.length, offset);
          return bytesWritten;
        } finally {
          await file.close();
        }
      }),

    mkdir: (_context, path) =>
      at(path, async (target) => {
        await mkdir(target, { recursive: true });
      }),

    delete: (_context, path) =>
      at(path, async (target) => {
        if (target === root) throw new FsRequestError('Refusing to delete the served directory itself');
        if ((await lstat(target)).isDirectory()) await rmdir(target);
        else await unlink(target);
      }),

    rename: (_context, from, to) =>
      at(from, async (source) => {
        const destination = await at(to, async (target) => target);
        if (source === root || destination === root) throw new FsRequestError('Refusing to rename the served directory itself');
        await rename(source, destination);
      }),

    sha256: (_context, path) =>
      at(path, async (target) => {
        const hash = createHash('sha256');
        for await (const chunk of createReadStream(target)) hash.update(chunk as Uint8Array);
        return hash.digest('hex');
      }),
  };
}

function entry(name: string, stats: { isFile(): boolean; isDirectory(): boolean; size: number }): FsEntry {
  const type = stats.isFile() ? 'file' : stats.isDirectory() ? 'directory' : 'other';
  return { name, type, size: type === 'file' ? stats.size : 0 };
}

/** Offsets and lengths from the network: whole numbers from 0 to `max`. */
function checkCount(name: string, value: unknown, max: number): asserts value is number {
  if (!Number.isSafeInteger(value) || (value as number) < 0 || (value as number) > max) {
    throw new FsRequestError(`${name} must be a whole number from 0 to ${max}, not ${String(value)}`);
  }
}
