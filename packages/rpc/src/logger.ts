import { LogLevel } from './messages.js';

/** Where a logger's lines go. */
export interface LogSink {
  /** Sends one log line at `level` (1 critical .. 5 debug). */
  sendLog(level: number, content: unknown): void;
}

/**
 * Sends log lines to the peer as `[2, 0, id, level, content]`: inside a call
 * they reach that call's `onLog` listeners, outside one (id 0) the peer's
 * connection-level log. `log` and `info` are the same level.
 */
export class RpcLogger {
  readonly #sink: LogSink;

  /** Made by the connection or the call context; there is no need to make one yourself. */
  constructor(sink: LogSink) {
    this.#sink = sink;
  }

  /** Level 1: the work cannot go on. */
  crit(content: unknown): void {
    this.#sink.sendLog(LogLevel.critical, content);
  }

  /** Level 2: something is wrong but the work goes on. */
  warn(content: unknown): void {
    this.#sink.sendLog(LogLevel.warning, content);
  }

  /** Level 3: normal information. */
  info(content: unknown): void {
    this.#sink.sendLog(LogLevel.info, content);
  }

  /** Level 3, like `info` (the Python package has both names). */
  log(content: unknown): void {
    this.#sink.sendLog(LogLevel.info, content);
  }

  /** Level 4: detail a user asked for. */
  verbose(content: unknown): void {
    this.#sink.sendLog(LogLevel.verbose, content);
  }

  /** Level 5: detail for debugging. */
  debug(content: unknown): void {
    this.#sink.sendLog(LogLevel.debug, content);
  }
}
