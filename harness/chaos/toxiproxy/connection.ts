import type { Socket } from 'node:net';
import { Link } from './link.ts';
import type { Stream, ToxicSpec } from './toxic-spec.ts';

/**
 * One proxied client: the client socket, the socket to the upstream server, and a Link each way.
 * As in upstream toxiproxy, when either direction ends (a FIN, an error, or a toxic closing it) the
 * other direction is ended too, so the connection closes as a whole once both chains are flushed.
 */
export class Connection {
  private readonly links: Record<Stream, Link>;
  private openSockets = 2;

  constructor(
    private readonly client: Socket,
    private readonly server: Socket,
    private readonly onClosed: (connection: Connection) => void,
  ) {
    const control = { reset: () => this.reset() };
    const ended = () => this.directionEnded();
    this.links = {
      upstream: new Link(client, server, control, ended),
      downstream: new Link(server, client, control, ended),
    };
    for (const socket of [client, server]) {
      // Go sets TCP_NODELAY on every connection; without it small writes would wait for Nagle.
      socket.setNoDelay(true);
      // Errors (ECONNRESET, EPIPE) are followed by 'close', which is where they are handled.
      socket.on('error', () => {});
      socket.once('close', () => this.socketClosed());
    }
  }

  /** Starts both directions with the proxy's toxics of each stream. */
  start(toxics: ToxicSpec[]): void {
    this.links.upstream.start(toxics.filter((t) => t.stream === 'upstream'));
    this.links.downstream.start(toxics.filter((t) => t.stream === 'downstream'));
  }

  addToxic(spec: ToxicSpec): void {
    this.links[spec.stream].add(spec);
  }
  updateToxic(spec: ToxicSpec): void {
    this.links[spec.stream].update(spec);
  }
  removeToxic(spec: ToxicSpec): void {
    this.links[spec.stream].remove(spec.name);
  }

  /** Closes both sockets at once (the proxy was disabled, changed or deleted). */
  destroy(): void {
    this.client.destroy();
    this.server.destroy();
  }

  /** Aborts both sockets with a TCP RST (the reset_peer toxic). */
  reset(): void {
    for (const socket of [this.client, this.server]) {
      if (socket.destroyed) continue;
      try {
        socket.resetAndDestroy();
      } catch {
        socket.destroy();
      }
    }
  }

  private directionEnded(): void {
    this.links.upstream.endInput();
    this.links.downstream.endInput();
    if (!this.links.upstream.ended || !this.links.downstream.ended) return;
    for (const socket of [this.client, this.server]) {
      if (socket.destroyed || socket.writableFinished) socket.destroy();
      else socket.once('finish', () => socket.destroy());
    }
  }

  private socketClosed(): void {
    this.links.upstream.endInput();
    this.links.downstream.endInput();
    this.openSockets -= 1;
    if (this.openSockets > 0) return;
    this.links.upstream.dispose();
    this.links.downstream.dispose();
    this.onClosed(this);
  }
}
