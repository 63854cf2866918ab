// How the demo prints. On a terminal: colours, and a progress bar redrawn in
// place on the last line with log lines scrolling above it. Anywhere else (CI,
// `| cat`, a file): no escape codes, and progress as a plain line at every 20%.

/** Who a line comes from; the first column of every line. */
export type Speaker = 'client' | 'server' | 'log' | 'progress';

/** Options of `Terminal`. */
export interface TerminalOptions {
  /** Draw a live progress bar (true) or print progress as lines (false). Default: whether stdout is a terminal. */
  liveProgress?: boolean;
  /** Use ANSI colours. Default: stdout is a terminal and NO_COLOR is not set. */
  color?: boolean;
}

const BAR_WIDTH = 32;
const LINE_STEP = 20;
const colors: Record<Speaker | 'heading' | 'good' | 'bad' | 'dim', string> = {
  client: '36',
  server: '35',
  log: '2',
  progress: '2',
  heading: '1',
  good: '32',
  bad: '31',
  dim: '2',
};

/** Writes the demo's output to stdout. */
export class Terminal {
  readonly #out = process.stdout;
  readonly #live: boolean;
  readonly #color: boolean;
  /** The bar currently drawn on the last line, if any. */
  #bar: string | undefined;
  /** The last 20% step printed in line mode (0: none yet). */
  #lastStep = 0;

  constructor(options: TerminalOptions = {}) {
    const tty = this.#out.isTTY === true;
    this.#live = options.liveProgress ?? tty;
    this.#color = options.color ?? (tty && !process.env.NO_COLOR);
  }

  /** A title line, printed once at the top. */
  title(text: string): void {
    this.#print(this.paint('heading', text));
  }

  /** The heading of one step of the tour, with a blank line before it. */
  heading(text: string): void {
    this.#print(`\n${this.paint('heading', text)}`);
  }

  /** One line from `speaker`, indented under the current heading. */
  say(speaker: Speaker, text: string): void {
    this.#print(`  ${this.paint(speaker, speaker.padEnd(8))} ${text}`);
  }

  /** Shows progress (0..100) of a running call: redraws the bar, or prints a line each time it reaches the next 20%. */
  progress(percent: number, label: string): void {
    const value = Math.max(0, Math.min(100, Math.round(percent)));
    if (!this.#live) {
      const step = Math.floor(value / LINE_STEP);
      if (step <= this.#lastStep) return;
      this.#lastStep = step;
      this.say('progress', `${String(value).padStart(3)}%  ${label}`);
      return;
    }
    const filled = Math.round((value * BAR_WIDTH) / 100);
    const bar = `${'█'.repeat(filled)}${this.paint('dim', '░'.repeat(BAR_WIDTH - filled))}`;
    this.#bar = `  ${this.paint('progress', 'progress')} ${bar} ${String(value).padStart(3)}%  ${label}`;
    this.#out.write(`\r\x1b[2K${this.#bar}`);
  }

  /** Ends the current progress display: the bar stays as it was last drawn. */
  endProgress(): void {
    if (this.#bar !== undefined) this.#out.write('\n');
    this.#bar = undefined;
    this.#lastStep = 0;
  }

  /** Wraps `text` in the colour of `style` when colours are on. */
  paint(style: keyof typeof colors, text: string): string {
    return this.#color ? `\x1b[${colors[style]}m${text}\x1b[0m` : text;
  }

  // Lines printed while a bar is drawn go above it; the bar is redrawn below.
  #print(line: string): void {
    if (this.#bar === undefined) {
      this.#out.write(`${line}\n`);
      return;
    }
    this.#out.write(`\r\x1b[2K${line}\n${this.#bar}`);
  }
}
