/** @internal Which rooms this instance's connections joined, both ways round. */
export class LocalRooms {
  readonly #members = new Map<string, Set<string>>();
  readonly #rooms = new Map<string, Set<string>>();

  join(connectionId: string, rooms: readonly string[]): void {
    for (const room of rooms) {
      getOrAdd(this.#members, room).add(connectionId);
      getOrAdd(this.#rooms, connectionId).add(room);
    }
  }

  leave(connectionId: string, rooms: readonly string[]): void {
    const joined = this.#rooms.get(connectionId);
    if (joined === undefined) return;
    for (const room of rooms) {
      if (!joined.delete(room)) continue;
      const members = this.#members.get(room)!;
      members.delete(connectionId);
      if (members.size === 0) this.#members.delete(room);
    }
    if (joined.size === 0) this.#rooms.delete(connectionId);
  }

  /** Leaves every room (the connection closed). */
  leaveAll(connectionId: string): void {
    const joined = this.#rooms.get(connectionId);
    if (joined !== undefined) this.leave(connectionId, [...joined]);
  }

  /** The rooms `connectionId` is in. */
  roomsOf(connectionId: string): string[] {
    return [...(this.#rooms.get(connectionId) ?? [])];
  }

  /** The connections in any of `rooms`, each once. */
  membersOf(rooms: readonly string[]): Set<string> {
    if (rooms.length === 1) return new Set(this.#members.get(rooms[0]!));
    const members = new Set<string>();
    for (const room of rooms) for (const id of this.#members.get(room) ?? []) members.add(id);
    return members;
  }
}

function getOrAdd(map: Map<string, Set<string>>, key: string): Set<string> {
  let set = map.get(key);
  if (set === undefined) map.set(key, (set = new Set()));
  return set;
}
