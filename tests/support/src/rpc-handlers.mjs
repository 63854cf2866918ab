// The methods every end-to-end RPC server offers: the in-process servers of the
// TCP and SSH tests and the stdio fixtures run by plain `node` (hence plain
// JavaScript, typed by rpc-handlers.d.mts).

const later = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const onAbort = (context, action) => context.signal.addEventListener('abort', action, { once: true });

export const serverHandlers = {
  add: (_context, a, b) => a + b,
  echo: (_context, value) => value,
  fail: (_context, message) => {
    throw new Error(message);
  },
  /** Tells which process serves. */
  pid: () => process.pid,
  /** Fired by the client: answers with an event, since a fire has no reply. */
  record: async (context, value) => {
    await context.rpc.emit('recorded', value);
  },
  work: async (context, steps) => {
    for (let step = 1; step <= steps; step++) {
      context.logger.info(`step ${step}`);
      context.progress((step * 100) / steps, { step });
      await later(2);
    }
    return 'done';
  },
  connectionLog: (context, text) => {
    context.rpc.logger.warn(text);
    return true;
  },
  /** Says it is waiting (event `waiting`), then waits for a cancel and reports it (event `cancelled`). */
  waitForCancel: (context) =>
    new Promise((resolve) => {
      void context.rpc.emit('waiting', { id: context.id }).catch(() => undefined);
      onAbort(context, () => {
        const reason = context.signal.reason?.code;
        void context.rpc.emit('cancelled', { id: context.id, reason }).catch(() => undefined);
        resolve('aborted');
      });
    }),
  slow: async (_context, ms, value) => {
    await later(ms);
    return value;
  },
  /** Calls back into the client that called. */
  callBack: async (context, x) => (await context.rpc.callMethod('double', x)) + 1,
};
