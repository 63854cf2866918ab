/** @internal What `ConnectionChanges` works with. */
export interface ConnectionChangesParts {
  /** Whether the first batch sends the whole state. */
  readonly replace: boolean;
  /** The connections there are now: what a batch that sends the whole state adds. */
  localIds(): Iterable<string>;
  /** Sends one batch, usually taking it with `take`; it may leave the changes for a later batch. */
  send(): Promise<void>;
  /** Receives the failure of a batch that `writeInBackground` queued or joined: once per batch, however many calls it carried. */
  onError(error: unknown): void;
}

/** @internal One batch, as `ConnectionChanges.take` hands it out. */
export interface ConnectionBatch {
  /** Whether this batch sends the whole state (the other side may have lost it, or never had it). */
  readonly replace: boolean;
  /** The connection ids to add: every local one when `replace` is set. */
  readonly added: string[];
  /** The connection ids removed since the last batch, `replace` or not. */
  readonly removed: string[];
}

/**
 * @internal The connection ids added and removed since the last batch, and
 * the queue that sends batches one at a time: a batch starts once the one in
 * flight is done, and every `write` made before it starts shares it, so what
 * changes meanwhile goes together. Its owner decides how a change lands in
 * `added` and `removed`, and what a failed batch leaves behind.
 */
export class ConnectionChanges {
  /** Connection ids to add with the next batch. */
  readonly added = new Set<string>();
  /** Connection ids to remove with the next batch. */
  readonly removed = new Set<string>();
  /** Whether the next batch sends the whole state. */
  replace: boolean;
  readonly #parts: ConnectionChangesParts;
  #chain: Promise<void> = Promise.resolve();
  #queued: Promise<void> | undefined;
  /** The last batch whose failure goes to `onError`. */
  #reported: Promise<void> | undefined;
  #left = false;

  constructor(parts: ConnectionChangesParts) {
    this.#parts = parts;
    this.replace = parts.replace;
  }

  /**
   * Records that connection `id` came (`present`) or went, for the next batch.
   * False when that undid a change not sent yet: nothing is left to send for it.
   */
  record(id: string, present: boolean): boolean {
    const [pending, opposite] = present ? [this.added, this.removed] : [this.removed, this.added];
    if (opposite.delete(id)) return false;
    pending.add(id);
    return true;
  }

  /** Queues one batch after the one in flight; calls made before it starts share it, and its result. */
  write(): Promise<void> {
    this.#queued ??= this.#chain = this.#chain.then(
      () => this.#run(),
      () => this.#run(),
    );
    return this.#queued;
  }

  /** Queues a batch as `write` does, for a caller that does not wait for it: its failure goes to `onError`. */
  writeInBackground(): void {
    const batch = this.write();
    if (batch === this.#reported) return;
    this.#reported = batch;
    batch.catch((error: unknown) => this.#parts.onError(error));
  }

  /** Queues a batch that sends the whole state. */
  writeAll(): Promise<void> {
    this.replace = true;
    return this.write();
  }

  /** Hands out the pending batch and starts the next one empty. */
  take(): ConnectionBatch {
    const replace = this.replace;
    const batch = { replace, added: replace ? [...this.#parts.localIds()] : [...this.added], removed: [...this.removed] };
    this.replace = false;
    this.added.clear();
    this.removed.clear();
    return batch;
  }

  /** Runs `task` after the batch in flight and those queued before it, whether they failed or not. */
  afterWrites(task: () => Promise<void>): Promise<void> {
    return (this.#chain = this.#chain.then(task, task));
  }

  /** Sends no batch from now on, and forgets the pending changes. */
  leave(): void {
    this.#left = true;
    this.added.clear();
    this.removed.clear();
  }

  async #run(): Promise<void> {
    this.#queued = undefined;
    if (this.#left) return;
    await this.#parts.send();
  }
}
