// The active calls of one direction of a connection, by id. Ids mostly come
// in increasing order (ours are issued so, and so are the Python package's),
// so a ring indexed by an id's low bits finds a call without hashing, and a
// slot is free again long before the ids come round to it. A call whose slot
// is still taken (a long-running one, a whole ring of ids later) waits in a
// Map instead. A Map alone costs more: with many calls in flight it grows and
// shrinks its table as they come and go, and V8 links each replaced table to
// the next, so that once one of them is promoted the young generation promotes
// every later one with the calls it holds (seen as a quarter of a busy
// client's time going to GC). Not exported from the package.

/** Shared by empty tables: one slot, never written, so a lookup needs no test for emptiness. */
const vacant: undefined[] = [undefined];
/** One call at a time needs one slot: an idle connection keeps no more. */
const firstSize = 1;
/** The ring stops growing here (32 KiB of slots); beyond, calls whose slot is taken wait in the Map. */
const maxSize = 4096;

export class CallTable<V extends { readonly id: number }> {
  #ring: (V | undefined)[] = vacant;
  #spill: Map<number, V> | undefined;
  #size = 0;

  /** The number of calls in the table. */
  get size(): number {
    return this.#size;
  }

  /** The call with `id`, if any. */
  get(id: number): V | undefined {
    const ring = this.#ring;
    const value = ring[id & (ring.length - 1)];
    if (value !== undefined && value.id === id) return value;
    return this.#spill?.get(id);
  }

  /** Adds `value`; no call with its id may be in the table. */
  add(value: V): void {
    const id = value.id;
    let ring = this.#ring;
    if (ring[id & (ring.length - 1)] !== undefined || ring === vacant) {
      // The ring grows while at least half full: then the ids in flight outnumber its slots.
      if (ring === vacant || (this.#size >= ring.length >> 1 && ring.length < maxSize)) ring = this.#grow();
      if (ring[id & (ring.length - 1)] !== undefined) {
        (this.#spill ??= new Map()).set(id, value);
        this.#size++;
        return;
      }
    }
    ring[id & (ring.length - 1)] = value;
    this.#size++;
  }

  /** Removes `value` itself; false when it is not in the table (another call may hold its id). */
  delete(value: V): boolean {
    const ring = this.#ring;
    const slot = value.id & (ring.length - 1);
    if (ring[slot] === value) {
      ring[slot] = undefined;
      this.#size--;
      return true;
    }
    const spill = this.#spill;
    if (spill === undefined || spill.get(value.id) !== value) return false;
    spill.delete(value.id);
    // Spills are rare: an empty one goes, so lookups that miss the ring stop paying for it.
    if (spill.size === 0) this.#spill = undefined;
    this.#size--;
    return true;
  }

  /** Every call in the table. */
  values(): V[] {
    const all: V[] = [];
    for (const value of this.#ring) if (value !== undefined) all.push(value);
    if (this.#spill !== undefined) all.push(...this.#spill.values());
    return all;
  }

  /** Empties the table. */
  clear(): void {
    this.#ring = vacant;
    this.#spill = undefined;
    this.#size = 0;
  }

  #grow(): (V | undefined)[] {
    const old = this.#ring;
    const ring = new Array<V | undefined>(old === vacant ? firstSize : old.length * 2).fill(undefined);
    // Ids apart in the old ring's bits are apart in the new one's too.
    for (const value of old) if (value !== undefined) ring[value.id & (ring.length - 1)] = value;
    this.#ring = ring;
    return ring;
  }
}
