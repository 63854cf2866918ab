// The methods each side offers: the server's are called by the client through
// a typed proxy, the client's by the server while it handles a call.

/** What the demo server answers. */
export interface DemoServerApi {
  /** A plain call and its result. */
  add(a: number, b: number): number;
  /** A long call that streams log lines and progress while it runs. */
  build(target: string): string;
  /** Counts down one step every 100 ms; stops when the caller cancels. */
  countdown(from: number): string;
  /** Calls back into the client (`whoAreYou`) before answering. */
  greet(): string;
}

/** What the demo client answers when the server calls it. */
export interface DemoClientApi {
  whoAreYou(): string;
}
