import { monotonicNow, refTimer, unrefTimer } from '@cbor-rpc/core';

// Timeouts of calls without a timer each. A platform timer per call costs an
// object, a native call to arm it and one to clear it, which at tens of
// thousands of calls a second is a visible share of a call's time. Calls with
// the same duration time out in the order they started, so each duration
// keeps its calls in one list and one timer, armed for the oldest: starting a
// call appends to the list, ending it unlinks it, and the timer only runs
// again when it fires. Like any timer, it holds the process open while a call
// waits for its timeout, and no longer once none does. Not exported from the package.

/** Something that times out: `expire` is called once, when its deadline passed. */
export interface Expiring {
  expire(): void;
}

/** One call in a list; `cancelTimeout` takes it out. */
export interface TimeoutEntry {
  readonly item: Expiring;
  readonly deadline: number;
  prev: TimeoutEntry | undefined;
  next: TimeoutEntry | undefined;
  list: TimeoutList | undefined;
}

interface TimeoutList {
  readonly ms: number;
  head: TimeoutEntry | undefined;
  tail: TimeoutEntry | undefined;
  timer: ReturnType<typeof setTimeout> | undefined;
  /** True while expiring: calls started by an `expire` must not arm a timer for their full duration. */
  firing: boolean;
}

const lists = new Map<number, TimeoutList>();

/** Calls `item.expire()` once `ms` milliseconds have passed, unless `cancelTimeout` comes first. */
export function startTimeout(item: Expiring, ms: number): TimeoutEntry {
  let list = lists.get(ms);
  if (list === undefined) {
    list = { ms, head: undefined, tail: undefined, timer: undefined, firing: false };
    lists.set(ms, list);
  }
  const tail = list.tail;
  const entry: TimeoutEntry = { item, deadline: monotonicNow() + ms, prev: tail, next: undefined, list };
  if (tail === undefined) list.head = entry;
  else tail.next = entry;
  list.tail = entry;
  if (list.timer === undefined) {
    if (!list.firing) arm(list, ms);
  } else if (tail === undefined) {
    refTimer(list.timer); // left unref'd when the list last ran empty
  }
  return entry;
}

/** Forgets `entry`; its timer stays armed for the calls after it, or runs out harmlessly. */
export function cancelTimeout(entry: TimeoutEntry): void {
  const list = entry.list;
  if (list === undefined) return;
  entry.list = undefined;
  if (entry.prev === undefined) list.head = entry.next;
  else entry.prev.next = entry.next;
  if (entry.next === undefined) list.tail = entry.prev;
  else entry.next.prev = entry.prev;
  entry.prev = entry.next = undefined;
  // A timer left for no call must not hold the process open; one for a pending call does.
  if (list.head === undefined && list.timer !== undefined) unrefTimer(list.timer);
}

function arm(list: TimeoutList, ms: number): void {
  list.timer = setTimeout(() => fire(list), ms);
}

function fire(list: TimeoutList): void {
  list.timer = undefined;
  list.firing = true;
  const time = monotonicNow(); // a change of the system clock neither fires nor delays a timeout
  try {
    for (let entry = list.head; entry !== undefined && entry.deadline <= time; entry = list.head) {
      cancelTimeout(entry);
      entry.item.expire();
    }
  } finally {
    list.firing = false;
    // A timer may fire a little before the clock reaches the deadline: it is then armed again for the rest.
    if (list.head !== undefined) arm(list, Math.max(1, Math.ceil(list.head.deadline - time)));
    else if (lists.get(list.ms) === list) lists.delete(list.ms);
  }
}
