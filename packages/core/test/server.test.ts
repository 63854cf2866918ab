import { describe, expect, test } from '@jest/globals';
import { EventPipe, Server } from '../src/index.js';

type Conn = EventPipe<string, string>;

/** A server whose "network" is a function that makes in-memory pairs. */
class MemoryServer extends Server<Conn> {
  listening = false;
  refuse = new Set<string>();

  protected async listen(): Promise<void> {
    this.listening = true;
  }
  protected async unlisten(): Promise<void> {
    this.listening = false;
  }
  override accept(pipe: Conn): boolean | Promise<boolean> {
    return !this.refuse.has(String((pipe as { label?: string }).label));
  }
  /** What a client does to connect: returns its end. */
  async dial(label: string): Promise<Conn> {
    if (!this.listening) throw new Error('not listening');
    const [client, server] = EventPipe.createInMemoryPair<string>();
    (server as { label?: string }).label = label;
    await this.addConnection(server);
    return client;
  }
}

describe('Server', () => {
  test('tracks connections, announces them, forgets closed ones', async () => {
    const server = new MemoryServer();
    const announced: Conn[] = [];
    server.on('connection', (pipe) => announced.push(pipe));
    expect(server.isRunning()).toBe(false);
    await server.start();
    expect(server.isRunning()).toBe(true);
    const c1 = await server.dial('one');
    await server.dial('two');
    expect(announced).toHaveLength(2);
    expect(server.getConnections()).toEqual(announced);
    await c1.terminate();
    expect(server.getConnections()).toEqual([announced[1]]);
  });

  test('accept returning false terminates the pipe and does not announce it', async () => {
    const server = new MemoryServer();
    server.refuse.add('intruder');
    let announced = 0;
    server.on('connection', () => announced++);
    await server.start();
    const client = await server.dial('intruder');
    expect(client.closed).toBe(true);
    expect(announced).toBe(0);
    expect(server.getConnections()).toEqual([]);
  });

  test('an accept that throws is reported and the pipe refused', async () => {
    const server = new MemoryServer();
    server.accept = () => {
      throw new Error('accept blew up');
    };
    const errors: unknown[] = [];
    server.on('error', (error) => errors.push(error));
    await server.start();
    const client = await server.dial('x');
    expect(client.closed).toBe(true);
    expect(errors).toEqual([new Error('accept blew up')]);
  });

  test('stop stops listening and closes every connection; closeAllConnections alone keeps listening', async () => {
    const server = new MemoryServer();
    await server.start();
    const a = await server.dial('a');
    await server.closeAllConnections();
    expect(a.closed).toBe(true);
    expect(server.isRunning()).toBe(true);
    const b = await server.dial('b');
    let closeEvents = 0;
    server.on('close', () => closeEvents++);
    await server.stop();
    expect(b.closed).toBe(true);
    expect(server.listening).toBe(false);
    expect(server.isRunning()).toBe(false);
    expect(closeEvents).toBe(1);
  });

  test('await using stops the server at the end of the scope', async () => {
    let client: Conn;
    let server: MemoryServer;
    {
      await using scoped = new MemoryServer();
      server = scoped;
      await scoped.start();
      client = await scoped.dial('scoped');
    }
    expect(client.closed).toBe(true);
    expect(server.isRunning()).toBe(false);
  });

  test('shutdown stops taking connections and keeps open ones; stop closes them later', async () => {
    const server = new MemoryServer();
    await server.start();
    const open = await server.dial('open');
    await server.shutdown();
    expect(server.isRunning()).toBe(false);
    expect(server.listening).toBe(false);
    expect(open.closed).toBe(false);
    await expect(server.dial('late')).rejects.toThrow('not listening');
    await server.stop();
    expect(open.closed).toBe(true);
  });

  test('a connection whose accept was still deciding when stop ran is closed too', async () => {
    const server = new MemoryServer();
    let decide!: (keep: boolean) => void;
    server.accept = () => new Promise<boolean>((resolve) => (decide = resolve));
    await server.start();
    const dialing = server.dial('slow');
    await new Promise((resolve) => setTimeout(resolve, 5));
    await server.stop();
    decide(true);
    const client = await dialing;
    expect(client.closed).toBe(true);
    expect(server.getConnections()).toEqual([]);
  });
});
