export { DEFAULT_CLOSE_ON_END, DEFAULT_FLUSH_TIMEOUT_MS, StreamPipe } from './stream-pipe.js';
export type { StreamPipeEvents, StreamPipeOptions } from './stream-pipe.js';
