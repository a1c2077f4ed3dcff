import { connect, type Socket } from 'node:net';

/** How a probe's connection ended: `error` is the socket error code, e.g. ECONNRESET. */
export interface ProbeClose {
  error?: string;
  /** Whether the peer sent a FIN (an orderly close) before the socket closed. */
  gotEnd: boolean;
}

/** A test client: records what it receives and how its connection ends. */
export interface Probe {
  socket: Socket;
  readonly received: Buffer;
  /** How many 'data' events delivered those bytes. */
  readonly reads: number;
  send(data: string | Buffer): void;
  /** Resolves once `bytes` bytes have arrived; rejects after `timeoutMs` or if the connection closes. */
  waitForBytes(bytes: number, timeoutMs?: number): Promise<Buffer>;
  /** Settles when the socket closes, however that happens. */
  closed: Promise<ProbeClose>;
  /** `closed`, but rejects if the socket is still open after `timeoutMs`. */
  waitForClose(timeoutMs?: number): Promise<ProbeClose>;
}

/** Connects to 127.0.0.1:port; rejects with the socket error (ECONNREFUSED when nothing listens). */
export function connectProbe(port: number): Promise<Probe> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, noDelay: true });
    const chunks: Buffer[] = [];
    let size = 0;
    let reads = 0;
    let error: string | undefined;
    let gotEnd = false;
    const listeners = new Set<() => void>();
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      size += chunk.length;
      reads += 1;
      for (const listener of listeners) listener();
    });
    socket.on('end', () => {
      gotEnd = true;
    });
    socket.on('error', (err: NodeJS.ErrnoException) => {
      error = err.code ?? err.message;
    });
    const closed = new Promise<ProbeClose>((settle) => {
      socket.on('close', () => {
        settle(error ? { error, gotEnd } : { gotEnd });
        for (const listener of listeners) listener();
      });
    });
    socket.once('connect', () => {
      socket.off('error', reject);
      resolve({
        socket,
        get received() {
          return Buffer.concat(chunks);
        },
        get reads() {
          return reads;
        },
        send: (data) => socket.write(data),
        waitForBytes: (bytes, timeoutMs = 2000) =>
          new Promise((done, fail) => {
            const check = () => {
              if (size >= bytes) return finish(() => done(Buffer.concat(chunks)));
              if (socket.destroyed) finish(() => fail(new Error(`closed after ${size} of ${bytes} bytes`)));
            };
            const timer = setTimeout(
              () => finish(() => fail(new Error(`got ${size} of ${bytes} bytes in ${timeoutMs} ms`))),
              timeoutMs,
            );
            const finish = (settle: () => void) => {
              clearTimeout(timer);
              listeners.delete(check);
              settle();
            };
            listeners.add(check);
            check();
          }),
        closed,
        waitForClose: (timeoutMs = 2000) => {
          let timer: NodeJS.Timeout | undefined;
          const late = new Promise<never>((_, fail) => {
            timer = setTimeout(() => fail(new Error(`still open after ${timeoutMs} ms`)), timeoutMs);
          });
          return Promise.race([closed, late]).finally(() => clearTimeout(timer));
        },
      });
    });
    socket.once('error', reject);
  });
}
