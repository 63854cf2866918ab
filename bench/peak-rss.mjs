// Peak resident memory over a stretch of work, from Linux's high-water mark
// (VmHWM), which writing 5 to /proc/self/clear_refs resets to the current RSS.

import { readFileSync, writeFileSync } from 'node:fs';

function residentKiB(field) {
  return Number(readFileSync('/proc/self/status', 'utf8').match(new RegExp(`${field}:\\s+(\\d+) kB`))?.[1]);
}

const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Collects garbage (with --expose-gc): a few full GCs, with turns of the event loop between them for what is freed after a collection. */
export async function settleGc() {
  for (let i = 0; i < 4; i++) {
    globalThis.gc?.();
    await pause(25);
  }
}

/**
 * Collects garbage (`settleGc`), resets the high-water mark and resolves with
 * a function that gives the bytes the process's RSS rose above that point at
 * its highest since: the transient memory of the work in between. NaN where
 * /proc has no such fields (not Linux).
 */
export async function startPeakRss() {
  await settleGc();
  try {
    writeFileSync('/proc/self/clear_refs', '5');
  } catch {
    return () => NaN;
  }
  const start = residentKiB('VmRSS');
  return () => (residentKiB('VmHWM') - start) * 1024;
}
