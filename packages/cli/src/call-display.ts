// What a running call shows on stderr: its log lines with level names, and
// its progress as a live bar on a terminal or as plain lines otherwise.
import cliProgress from 'cli-progress';
import type { OutputStream } from './io.js';
import { logLevelName } from './log-levels.js';
import { formatNotation } from './value-notation.js';

/** Shows what a call reports while it runs. */
export interface CallDisplay {
  /** A log line: `[info] text`. */
  log(level: number, content: unknown): void;
  /** A progress report: a number from 0 to 100 moves the bar; anything else is a line. */
  progress(value: unknown, metadata: unknown): void;
  /** A line of the command's own, such as a warning. */
  note(text: string): void;
  /** What a peer's process wrote to its stderr, passed on. */
  passthrough(chunk: Uint8Array): void;
  /** Draws the last state and ends the bar; later output goes below it. */
  stop(): void;
}

/** Longest metadata text shown beside the bar, in characters. */
const DETAIL_WIDTH = 40;

/** A display on `stream` (stderr): a progress bar when it is a terminal, plain lines otherwise. */
export function createCallDisplay(stream: OutputStream): CallDisplay {
  return stream.isTTY === true ? new BarDisplay(stream) : new LineDisplay(stream);
}

function logLine(level: number, content: unknown): string {
  return `[${logLevelName(level)}] ${typeof content === 'string' ? content : formatNotation(content)}\n`;
}

function detail(metadata: unknown): string {
  return metadata === null || metadata === undefined ? '' : formatNotation(metadata);
}

/** A progress value the bar can show: a finite number, read as a percentage. */
function percentOf(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? Math.min(100, Math.max(0, value)) : undefined;
}

class LineDisplay implements CallDisplay {
  readonly #stream: OutputStream;

  constructor(stream: OutputStream) {
    this.#stream = stream;
  }

  log(level: number, content: unknown): void {
    this.#stream.write(logLine(level, content));
  }

  progress(value: unknown, metadata: unknown): void {
    const percent = percentOf(value);
    const text = [percent === undefined ? formatNotation(value) : `${Math.round(percent * 10) / 10}%`, detail(metadata)]
      .filter((part) => part !== '')
      .join(' ');
    this.#stream.write(`[progress] ${text}\n`);
  }

  note(text: string): void {
    this.#stream.write(`${text}\n`);
  }

  passthrough(chunk: Uint8Array): void {
    this.#stream.write(Buffer.from(chunk).toString());
  }

  stop(): void {}
}

class BarDisplay extends LineDisplay {
  readonly #bars: cliProgress.MultiBar;
  #bar: cliProgress.SingleBar | undefined;

  constructor(stream: OutputStream) {
    super(stream);
    this.#bars = new cliProgress.MultiBar(
      {
        stream: stream as NodeJS.WritableStream,
        format: '{bar} {percentage}% {detail}',
        barsize: 30,
        hideCursor: false,
        autopadding: true,
      },
      cliProgress.Presets.shades_classic,
    );
  }

  override log(level: number, content: unknown): void {
    this.#print(logLine(level, content), () => super.log(level, content));
  }

  override progress(value: unknown, metadata: unknown): void {
    const percent = percentOf(value);
    if (percent === undefined) {
      this.#print(`[progress] ${formatNotation(value)}\n`, () => super.progress(value, metadata));
      return;
    }
    const payload = { detail: detail(metadata).slice(0, DETAIL_WIDTH) };
    if (this.#bar === undefined) this.#bar = this.#bars.create(100, percent, payload);
    else this.#bar.update(percent, payload);
  }

  override note(text: string): void {
    this.#print(`${text}\n`, () => super.note(text));
  }

  override passthrough(chunk: Uint8Array): void {
    this.#print(Buffer.from(chunk).toString(), () => super.passthrough(chunk));
  }

  override stop(): void {
    if (this.#bar === undefined) return;
    this.#bars.update(); // writes the lines logged since the last redraw
    this.#bars.stop();
    this.#bar = undefined;
  }

  // Above the bar while there is one, straight to the stream otherwise.
  #print(text: string, direct: () => void): void {
    if (this.#bar === undefined) direct();
    else this.#bars.log(text);
  }
}
