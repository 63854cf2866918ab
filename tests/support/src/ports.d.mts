/** A loopback port that was free a moment ago: the OS picked it, and the listener that got it has closed. */
export declare function freePort(): Promise<number>;
