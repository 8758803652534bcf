import { createServer, type Server, type Socket } from 'node:net';

export interface LineServer {
  port: number;
  stop(): Promise<void>;
}

/**
 * A scripted line-based TCP server on 127.0.0.1, for protocol peers no real server plays: one that never says a word
 * (no greeting, no answers), or one that answers logins with a text of its own. `answer` returns the reply to each
 * CRLF-terminated line, or null for none.
 */
export async function startLineServer(
  greeting: string | null,
  answer: (line: string, socket: Socket) => string | null = () => null,
): Promise<LineServer> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
    if (greeting !== null) socket.write(greeting);
    let buffered = '';
    socket.on('data', (chunk) => {
      buffered += chunk.toString('utf8');
      let end: number;
      while ((end = buffered.indexOf('\r\n')) >= 0) {
        const line = buffered.slice(0, end);
        buffered = buffered.slice(end + 2);
        const reply = answer(line, socket);
        if (reply) socket.write(reply);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (typeof address !== 'object' || address === null) throw new Error('the line server has no port');
  return {
    port: address.port,
    stop: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
