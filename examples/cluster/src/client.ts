// node dist/client.js --name alice [--host 127.0.0.1] [--port 9000] [--join room]... [--announce text]
//                     [--say room=text]... [--ask connectionId] [--listen]
// Connects to one instance, does what the flags ask, lists the connections of
// the cluster, and exits; with --listen it stays and prints every event it
// receives (from any instance) until Ctrl-C.
import { parseArgs } from 'node:util';
import type { Announcement, Said } from './chat.js';
import { connectClient } from './chat-client.js';

const { values } = parseArgs({
  options: {
    name: { type: 'string', default: `client-${process.pid}` },
    host: { type: 'string', default: '127.0.0.1' },
    port: { type: 'string', default: '9000' },
    join: { type: 'string', multiple: true, default: [] },
    announce: { type: 'string' },
    say: { type: 'string', multiple: true, default: [] },
    ask: { type: 'string' },
    listen: { type: 'boolean', default: false },
  },
});

const client = await connectClient(values.host, Number(values.port), values.name, (topic, message) => {
  if (topic === 'announcement') console.log(`announcement from ${(message as Announcement).from}: ${(message as Announcement).text}`);
  else if (topic === 'said') console.log(`[${(message as Said).room}] ${(message as Said).from}: ${(message as Said).text}`);
}).catch((error: Error) => {
  console.error(error.message);
  process.exit(1);
});
console.log(`${values.name} is connection ${client.whereabouts.connectionId} on instance ${client.whereabouts.instanceId}`);
for (const room of values.join) await client.server.join(room);
if (values.announce !== undefined) await client.server.announce(values.announce);
for (const roomAndText of values.say) {
  const [room, ...text] = roomAndText.split('=');
  await client.server.say(room!, text.join('='));
}
if (values.ask !== undefined) console.log(`${values.ask} says: ${await client.server.ask(values.ask)}`);
for (const connection of await client.server.who()) console.log(`in the cluster: ${connection.connectionId} on instance ${connection.instanceId}`);
if (values.listen) for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void client.rpc.terminate());
else await client.rpc.terminate();
