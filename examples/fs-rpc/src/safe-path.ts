import { realpath } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { FsRequestError, PathOutsideRootError } from './fs-errors.js';

/**
 * Maps a client's path onto the served directory `root` (an absolute, real
 * path). "/" and "" are the root itself, a leading "/" is ignored, and a
 * path that leaves the root, by "..", or through a symlink whose target is
 * outside, is refused. (Someone able to swap directories for symlinks inside
 * the root between this check and the use could still race it: serve only
 * directories that such people cannot write to by other means.)
 */
export async function resolveInside(root: string, path: unknown): Promise<string> {
  if (typeof path !== 'string' || path.includes('\0')) throw new FsRequestError(`Not a valid path: ${JSON.stringify(path)}`);
  const target = resolve(root, `.${sep}${path}`);
  if (!isInside(root, target) || !isInside(root, await realLocation(target))) throw new PathOutsideRootError(path);
  return target;
}

/** True when `path` is `root` or below it. */
function isInside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
}

/** Where `path` really is once symlinks are followed: the real path of its deepest existing ancestor, plus the rest. */
async function realLocation(path: string): Promise<string> {
  try {
    return await realpath(path);
  } catch (error) {
    const parent = dirname(path);
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || parent === path) throw error;
    return join(await realLocation(parent), basename(path));
  }
}
