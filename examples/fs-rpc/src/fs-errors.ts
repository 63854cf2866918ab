import { CborRpcError } from '@cbor-rpc/core';

/** A path names something outside the served directory (`..`, or a symlink pointing out). */
export class PathOutsideRootError extends CborRpcError {
  static override readonly code = 'PATH_OUTSIDE_ROOT';

  constructor(path: string) {
    super(`Path is outside the served directory: ${path}`);
  }
}

/** A request the service refuses: a bad argument, or a filesystem error (named by its errno code in `data`). */
export class FsRequestError extends CborRpcError {
  static override readonly code = 'FS_REQUEST_FAILED';
}

const messages: Record<string, string> = {
  ENOENT: 'No such file or directory',
  EEXIST: 'Already exists',
  ENOTDIR: 'Not a directory',
  EISDIR: 'Is a directory',
  ENOTEMPTY: 'Directory not empty',
  EACCES: 'Permission denied',
  EPERM: 'Operation not permitted',
};

/**
 * Runs `action`, turning Node's filesystem errors into messages that name the
 * client's path: Node's own messages contain the server's absolute paths,
 * which are none of the client's business.
 */
export async function describingFsErrors<T>(path: string, action: () => Promise<T>): Promise<T> {
  try {
    return await action();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (CborRpcError.isInstance(error) || code === undefined) throw error;
    throw new FsRequestError(`${messages[code] ?? code}: ${path}`, { cause: error, data: code });
  }
}
