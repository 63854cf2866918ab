// The table of active calls by id: a ring for ids that come in order, a Map
// for a call whose slot is still taken. Whatever the ids, it behaves as a Map.
import { describe, expect, test } from '@jest/globals';
import { int, mulberry32 } from '@cbor-rpc/test-support/random';
import { CallTable } from '../src/call-table.js';

interface Call {
  readonly id: number;
}

const call = (id: number): Call => ({ id });

/** Checks `table` against `model` for every id in `ids`. */
function agrees(table: CallTable<Call>, model: Map<number, Call>, ids: Iterable<number>): void {
  for (const id of ids) expect(table.get(id)).toBe(model.get(id));
  expect(table.size).toBe(model.size);
  expect(new Set(table.values())).toEqual(new Set(model.values()));
}

describe('CallTable', () => {
  test('calls in order, many in flight, each ending a little out of order', () => {
    const table = new CallTable<Call>();
    const model = new Map<number, Call>();
    const random = mulberry32(1);
    let next = 1;
    for (let step = 0; step < 20_000; step++) {
      if (model.size < 300 && random() < 0.55) {
        const added = call(next++);
        table.add(added);
        model.set(added.id, added);
      } else if (model.size > 0) {
        // Mostly the oldest few: replies come back roughly in order.
        const ids = [...model.keys()];
        const ended = model.get(ids[int(random, Math.min(ids.length, 8))]!)!;
        expect(table.delete(ended)).toBe(true);
        model.delete(ended.id);
      }
    }
    agrees(
      table,
      model,
      Array.from({ length: next }, (_, id) => id),
    );
  });

  test('a call that outlives many others keeps its place, and those that need its slot wait beside it', () => {
    const table = new CallTable<Call>();
    const slow = call(1);
    table.add(slow);
    for (let id = 2; id < 10_000; id++) {
      const quick = call(id);
      table.add(quick);
      expect(table.get(id)).toBe(quick);
      expect(table.delete(quick)).toBe(true);
    }
    expect(table.get(1)).toBe(slow);
    expect(table.values()).toEqual([slow]);
  });

  test('ids from a peer in any order, large ones too', () => {
    const table = new CallTable<Call>();
    const model = new Map<number, Call>();
    const random = mulberry32(2);
    const pool = [0, 1, 2, 7, 8, 2 ** 31 - 1, 2 ** 31, 2 ** 32, 2 ** 32 + 1, 2 ** 53 - 1, ...Array.from({ length: 200 }, () => int(random, 5000))];
    for (let step = 0; step < 5000; step++) {
      const id = pool[int(random, pool.length)]!;
      const present = model.get(id);
      if (present === undefined) {
        const added = call(id);
        table.add(added);
        model.set(id, added);
      } else {
        expect(table.delete(present)).toBe(true);
        model.delete(id);
      }
    }
    agrees(table, model, pool);
  });

  test('delete removes only the call given, not another one holding its id', () => {
    const table = new CallTable<Call>();
    const first = call(5);
    table.add(first);
    expect(table.delete(call(5))).toBe(false);
    expect(table.get(5)).toBe(first);
    expect(table.delete(first)).toBe(true);
    expect(table.delete(first)).toBe(false);
    expect(table.size).toBe(0);
  });

  test('clear empties it, and it works again after', () => {
    const table = new CallTable<Call>();
    for (let id = 0; id < 100; id++) table.add(call(id));
    table.clear();
    expect(table.size).toBe(0);
    expect(table.get(3)).toBeUndefined();
    const again = call(3);
    table.add(again);
    expect(table.get(3)).toBe(again);
  });
});
