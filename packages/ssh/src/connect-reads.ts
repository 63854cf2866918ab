/**
 * What one `SshConnection.connect` read from files (ssh_config, identity
 * files, known_hosts), each read and parsed once however many jump hosts use
 * it: the whole chain sees one version of each file, and a file that can be
 * read only once (a pipe, as from `<(...)`) serves every hop.
 */
export class ConnectReads {
  readonly #results = new Map<string, Promise<unknown>>();

  /**
   * What `load` gives for `key` (the kind of file and its path), loaded the
   * first time only. A failure is kept too: the file would fail again.
   */
  once<T>(key: string, load: () => Promise<T>): Promise<T> {
    let result = this.#results.get(key);
    if (result === undefined) {
      result = load();
      this.#results.set(key, result);
    }
    return result as Promise<T>;
  }
}
