export { StreamPipe } from './stream-pipe.js';
export type { StreamPipeEvents, StreamPipeOptions } from './stream-pipe.js';
