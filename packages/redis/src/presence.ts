import { describeError } from '@cbor-rpc/core';
import { ConnectionChanges } from './connection-changes.js';
import type { RedisLink } from './redis-link.js';

// Presence in Redis, under the cluster's prefix P:
//   P:instances         a set of instance ids (pruned of dead ones by whoever lists them)
//   P:instance:<id>     the instance's heartbeat, a string that expires presenceTtlMs after the last one
//   P:connections:<id>  the set of its connection ids, expiring with the heartbeat
// An instance that dies stops renewing both keys, so it and its connections
// drop out within presenceTtlMs, and nothing it wrote outlives that.

/** Renews the heartbeat, adds and removes connection ids (or replaces them all), and renews their expiry, at once. */
const UPDATE = `
local ttl, id, replace, added = ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4])
redis.call('SET', KEYS[1], id, 'PX', ttl)
redis.call('SADD', KEYS[3], id)
if replace == '1' then redis.call('DEL', KEYS[2]) end
local i, last = 5, 4 + added
while i <= last do
  local j = math.min(i + 999, last)
  redis.call('SADD', KEYS[2], unpack(ARGV, i, j))
  i = j + 1
end
while i <= #ARGV do
  local j = math.min(i + 999, #ARGV)
  redis.call('SREM', KEYS[2], unpack(ARGV, i, j))
  i = j + 1
end
redis.call('PEXPIRE', KEYS[2], ttl)
return 1`;

/** Lists live instances with their connection ids, [id, [connection ids], ...], and forgets dead ones. */
const LIST = `
local out = {}
for _, id in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  if redis.call('EXISTS', ARGV[1] .. ':instance:' .. id) == 1 then
    out[#out + 1] = id
    out[#out + 1] = redis.call('SMEMBERS', ARGV[1] .. ':connections:' .. id)
  else
    redis.call('SREM', KEYS[1], id)
    redis.call('DEL', ARGV[1] .. ':connections:' .. id)
  end
end
return out`;

/**
 * @internal This instance's presence in Redis. Changes are batched: the
 * connections added and removed in one tick go in one script run, and one
 * run at a time is in flight. After a failure (Redis down, or restarted empty)
 * the next run replaces the whole set from `localIds`.
 */
export class Presence {
  readonly #link: RedisLink;
  readonly #prefix: string;
  readonly #instanceId: string;
  readonly #ttlMs: number;
  readonly #changes: ConnectionChanges;

  constructor(
    link: RedisLink,
    prefix: string,
    instanceId: string,
    ttlMs: number,
    localIds: () => Iterable<string>,
    warn: (reason: string, detail: unknown) => void,
  ) {
    this.#link = link;
    this.#prefix = prefix;
    this.#instanceId = instanceId;
    this.#ttlMs = ttlMs;
    this.#changes = new ConnectionChanges({
      replace: true,
      localIds,
      send: () => this.#send(),
      onError: (error) => warn(`presence: writing to Redis failed: ${describeError(error)}`, error),
    });
  }

  /** Records that connection `id` came (`present`) or went, and writes it soon. */
  changed(id: string, present: boolean): void {
    if (this.#changes.record(id, present) && this.#link.ready) this.#changes.writeInBackground();
  }

  /** Renews the heartbeat (with any pending change); failures are warnings. */
  beat(): void {
    this.#changes.writeInBackground();
  }

  /** Writes the whole state again; rejects when Redis cannot take it. */
  resync(): Promise<void> {
    return this.#changes.writeAll();
  }

  /** Live instances and their connection ids, from Redis. */
  async list(): Promise<Map<string, string[]>> {
    const reply = await this.#link.command(['EVAL', LIST, '1', `${this.#prefix}:instances`, this.#prefix]);
    const instances = new Map<string, string[]>();
    if (!Array.isArray(reply)) return instances;
    for (let i = 0; i + 1 < reply.length; i += 2) {
      const ids: unknown = reply[i + 1];
      instances.set(text(reply[i]), Array.isArray(ids) ? ids.map(text) : []);
    }
    return instances;
  }

  /** Removes this instance's presence at once (a clean stop), after the write in flight; nothing is written after it. */
  leave(): Promise<void> {
    this.#changes.leave();
    return this.#changes.afterWrites(async () => {
      await Promise.all([
        this.#link.command(['DEL', this.#key('instance'), this.#key('connections')]),
        this.#link.command(['SREM', `${this.#prefix}:instances`, this.#instanceId]),
      ]);
    });
  }

  #key(kind: 'instance' | 'connections'): string {
    return `${this.#prefix}:${kind}:${this.#instanceId}`;
  }

  /** Runs UPDATE once with the pending changes. */
  async #send(): Promise<void> {
    const batch = this.#changes.take();
    const { replace, added } = batch;
    // Replacing deletes the set first, so nothing needs removing.
    const removed = replace ? [] : batch.removed;
    try {
      await this.#link.command([
        'EVAL',
        UPDATE,
        '3',
        this.#key('instance'),
        this.#key('connections'),
        `${this.#prefix}:instances`,
        String(this.#ttlMs),
        this.#instanceId,
        replace ? '1' : '0',
        String(added.length),
        ...added,
        ...removed,
      ]);
    } catch (error) {
      // What this run carried may be lost: the next one writes everything.
      this.#changes.replace = true;
      throw error;
    }
  }
}

function text(value: unknown): string {
  return Buffer.isBuffer(value) ? value.toString('utf8') : String(value);
}
