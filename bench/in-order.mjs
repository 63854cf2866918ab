// The raw baselines match replies to requests by order: the peer answers each
// message in turn, so a FIFO of resolvers is all the matching needed.

/** `send(message)` writes with `write` and resolves with the reply that `reply(data)` hands in, in order. */
export function inOrder(write) {
  const waiting = [];
  let head = 0;
  return {
    send: (message) =>
      new Promise((resolve) => {
        waiting.push(resolve);
        write(message);
      }),
    reply(data) {
      const resolve = waiting[head];
      waiting[head++] = undefined;
      if (head > 1024 && head * 2 > waiting.length) {
        waiting.splice(0, head);
        head = 0;
      }
      resolve(data);
    },
  };
}
