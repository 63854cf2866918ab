// What the server and the page offer each other, shared by both sides.

/** The server's methods. */
export interface DashboardApi {
  /** Runs a job of `steps` steps: a log line and a progress report for each; resolves with a summary. Cancellable. */
  runJob(steps: number): string;
  /** Pushes `text` to every open page as a `news` event. */
  announce(text: string): void;
}

/** The page's methods, which the server calls. */
export interface PageApi {
  /** The page's name, asked by the server when it connects. */
  whoAreYou(): string;
}

/** A `news` event: what every open page shows. */
export interface News {
  text: string;
  at: string;
}
