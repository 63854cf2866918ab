import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';

/** Answers an HTTP request on `socket` with `status` and `reason` as plain text, then closes that socket only. */
export function refuseRequest(socket: Duplex, status: number, reason: string, headers: Record<string, string> = {}): void {
  socket.on('error', () => undefined);
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const body = `${reason}\n`;
  const lines = [
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}`,
    'Connection: close',
    'Content-Type: text/plain; charset=utf-8',
    `Content-Length: ${Buffer.byteLength(body)}`,
    ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
  ];
  socket.end(`${lines.join('\r\n')}\r\n\r\n${body}`);
  socket.once('finish', () => socket.destroy());
}
