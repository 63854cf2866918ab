// The dashboard's server: one port serves the page (index.html, app.js) and
// its RPC (WebSocket on /rpc, one CBOR message per binary frame).
//
//   node dist/server.js [--port 8080] [--host 127.0.0.1] [--step-ms 100]
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';
import { RpcV1Server, type RpcCallContext } from '@cbor-rpc/rpc';
import { CborTransformer } from '@cbor-rpc/transform-cbor';
import { WebSocketServer } from '@cbor-rpc/websocket/node';
import type { DashboardApi, News, PageApi } from './api.js';

const { values } = parseArgs({
  options: { port: { type: 'string', default: '8080' }, host: { type: 'string', default: '127.0.0.1' }, 'step-ms': { type: 'string', default: '100' } },
});
const stepMs = Number(values['step-ms']);
const later = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const page = `<!doctype html>
<html lang="en">
<meta charset="utf-8">
<title>cbor-rpc dashboard</title>
<link rel="icon" href="data:,">
<style>
  body { font: 15px system-ui, sans-serif; max-width: 44rem; margin: 2rem auto; }
  progress { width: 100%; height: 1.2rem; }
  ol { font: 13px ui-monospace, monospace; max-height: 12rem; overflow: auto; background: #f4f4f4; padding: .5rem 2rem; }
</style>
<h1>cbor-rpc dashboard</h1>
<p>You are <b id="me">...</b>. <span id="asked"></span> Connection: <b id="status">connecting</b></p>
<h2>A long job</h2>
<p><button id="start">Start</button> <button id="cancel" disabled>Cancel</button> <span id="result"></span></p>
<progress id="progress" max="100" value="0"></progress>
<ol id="log"></ol>
<h2>News, pushed to every page</h2>
<form id="say"><input id="text" placeholder="say something to every page" size="40"> <button>Send</button></form>
<ul id="news"></ul>
<script type="module" src="/app.js"></script>
</html>`;
const script = readFileSync(new URL('./public/app.js', import.meta.url));

const http = createServer((request, response) => {
  if (request.url === '/' || request.url === '/index.html') response.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end(page);
  else if (request.url === '/app.js') response.writeHead(200, { 'Content-Type': 'text/javascript; charset=utf-8' }).end(script);
  else response.writeHead(404).end('not found\n');
});

const news = (text: string): News => ({ text, at: new Date().toISOString() });

const rpc: RpcV1Server = RpcV1Server.fromHandlers<DashboardApi>({
  runJob: async (context: RpcCallContext, steps: number) => {
    for (let step = 1; step <= steps; step++) {
      if (context.signal.aborted) {
        await rpc.broadcast('news', news(`a job was cancelled at step ${step} of ${steps}`));
        throw context.signal.reason;
      }
      context.logger.info(`step ${step} of ${steps}: crunching`);
      context.progress((100 * step) / steps);
      await later(stepMs);
    }
    return `finished ${steps} steps`;
  },
  announce: async (_context, text: string) => {
    await rpc.broadcast('news', news(String(text).slice(0, 200)));
  },
});

const ws = await WebSocketServer.attach(http, { path: '/rpc' });
let next = 0;
ws.on('connection', (pipe) => {
  const id = `page-${++next}`;
  rpc.addConnection(id, new CborTransformer().applyTransformer(pipe));
  // The server calls the page: it asks each new page who it is and tells everyone.
  void rpc
    .getClient(id)!
    .proxy<PageApi>()
    .whoAreYou()
    .then((name) => rpc.broadcast('news', news(`${name} joined`)))
    .catch(() => undefined);
});
http.listen(Number(values.port), values.host, () => {
  const { port } = http.address() as { port: number };
  console.log(`dashboard listening on http://${values.host}:${port}/`);
});
