export { DEFAULT_SIGNAL_AFTER_MS, StdioPipe } from './stdio-pipe.js';
export type { StartProcessOptions, StdioPipeEvents, StdioPipeOptions } from './stdio-pipe.js';
export type { ProcessExitStatus } from './process-exit-status.js';
export { ProcessStartError } from './errors.js';
