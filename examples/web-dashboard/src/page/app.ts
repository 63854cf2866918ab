// The page: plain TypeScript, bundled by esbuild. It connects back to the
// server that served it, over WebSocket on /rpc.
import { CancelledError, RpcV1, type RpcCallHandle } from '@cbor-rpc/rpc';
import { CborTransformer } from '@cbor-rpc/transform-cbor';
import { WebSocketPipe } from '@cbor-rpc/websocket';
import type { News, PageApi } from '../api.js';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const name = `page ${Math.floor(Math.random() * 9000 + 1000)}`;
$('me').textContent = name;

function addLine(list: string, text: string): void {
  const item = document.createElement('li');
  item.textContent = text;
  $(list).append(item);
  item.scrollIntoView({ block: 'nearest' });
}

const pipe = await WebSocketPipe.connect(`${location.origin.replace(/^http/, 'ws')}/rpc`);
const page: PageApi = { whoAreYou: () => name };
const rpc = RpcV1.fromHandlers<PageApi>(new CborTransformer().applyTransformer(pipe), {
  whoAreYou: () => {
    $('asked').textContent = 'The server asked who you are.';
    return page.whoAreYou();
  },
});
$('status').textContent = 'connected';
rpc.on('close', () => ($('status').textContent = 'closed'));
rpc.on('event', (topic, message) => {
  if (topic === 'news') addLine('news', `${(message as News).at.slice(11, 19)} ${(message as News).text}`);
});

let job: RpcCallHandle<string> | undefined;
$<HTMLButtonElement>('start').addEventListener('click', async () => {
  $<HTMLButtonElement>('start').disabled = true;
  $<HTMLButtonElement>('cancel').disabled = false;
  $('log').replaceChildren();
  $('result').textContent = 'running';
  job = rpc
    .createCall<string>('runJob', 50)
    .setTimeout(0)
    .onLog((_level, line) => addLine('log', String(line)))
    .onProgress((percent) => ($<HTMLProgressElement>('progress').value = Number(percent)));
  try {
    $('result').textContent = await job;
  } catch (error) {
    $('result').textContent = CancelledError.isInstance(error) ? 'cancelled' : `failed: ${(error as Error).message}`;
  } finally {
    job = undefined;
    $<HTMLButtonElement>('start').disabled = false;
    $<HTMLButtonElement>('cancel').disabled = true;
  }
});
$<HTMLButtonElement>('cancel').addEventListener('click', () => job?.cancel());
$<HTMLFormElement>('say').addEventListener('submit', (event) => {
  event.preventDefault();
  const input = $<HTMLInputElement>('text');
  void rpc.callMethod('announce', `${name}: ${input.value}`);
  input.value = '';
});
document.title = 'dashboard ready';
