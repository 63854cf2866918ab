// What the servers and the clients of the example offer each other.

/** Where a connection lives in the cluster. */
export interface Whereabouts {
  connectionId: string;
  instanceId: string;
}

/** The server's methods, the same on every instance. */
export interface ChatServer {
  /** Names the calling client; answers its connection id and instance. */
  hello(name: string): Whereabouts;
  /** Sends `announcement` { from, text } to every client of every instance. */
  announce(text: string): void;
  /** Puts the calling client in `room`. */
  join(room: string): void;
  /** Sends `said` { room, from, text } to the clients in `room`, on every instance, but the caller. */
  say(room: string, text: string): void;
  /** Calls `whoAreYou` on the client `connectionId`, whatever instance holds it, and answers what it said. */
  ask(connectionId: string): string;
  /** Every connection of the cluster, with its instance. */
  who(): Whereabouts[];
}

/** The client's methods, which a server can call. */
export interface ChatClient {
  whoAreYou(): string;
}

/** The events a client receives. */
export interface Announcement {
  from: string;
  text: string;
}
export interface Said extends Announcement {
  room: string;
}
