import { type AddressInfo, createServer, type Socket } from 'node:net';

/** A TCP server that writes back whatever it reads: the upstream behind the proxies in tests. */
export interface EchoServer {
  /** `127.0.0.1:<port>`, ready to be a proxy's upstream. */
  address: string;
  port: number;
  /** Bytes read from all clients so far (shows what made it through the upstream direction). */
  readonly bytesReceived: number;
  close(): Promise<void>;
}

/** Starts an echo server on a free loopback port. */
export async function startEchoServer(): Promise<EchoServer> {
  const sockets = new Set<Socket>();
  let bytesReceived = 0;
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('data', (chunk) => {
      bytesReceived += chunk.length;
    });
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
    socket.pipe(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    address: `127.0.0.1:${port}`,
    port,
    get bytesReceived() {
      return bytesReceived;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
