import { type AddressInfo, connect, createServer, type Server, type Socket } from 'node:net';
import { formatAddress, parseHostPort } from './address.ts';
import { ToxicNotFound } from './api-error.ts';
import { Connection } from './connection.ts';
import { parseNewToxic, parseToxicUpdate, type ToxicSpec } from './toxic-spec.ts';

/** A proxy as the API shows it; upstream's JSON field order. */
export interface ProxyJson {
  name: string;
  listen: string;
  upstream: string;
  enabled: boolean;
  toxics: ToxicSpec[];
}

export interface ProxyChange {
  listen?: string;
  upstream?: string;
  enabled?: boolean;
}

/**
 * A named TCP proxy from `listen` to `upstream` with its toxics. Disabling it closes the listener and
 * every connection; enabling listens again on the same address (the real port once one was picked).
 */
export class TcpProxy {
  readonly name: string;
  listen: string;
  upstream: string;
  enabled = false;
  private toxics: ToxicSpec[] = [];
  private server: Server | undefined;
  private readonly connections = new Set<Connection>();
  /** Accepted clients (and their upstream sockets) while the upstream is being dialled. */
  private readonly dialling = new Set<Socket>();

  constructor(config: { name: string; listen: string; upstream: string }) {
    parseHostPort(config.listen, 'listen');
    parseHostPort(config.upstream, 'upstream');
    this.name = config.name;
    this.listen = config.listen;
    this.upstream = config.upstream;
  }

  /** Listens; rejects (and stays disabled) when the address cannot be bound. */
  async start(): Promise<void> {
    if (this.enabled) return;
    const { host, port } = parseHostPort(this.listen, 'listen');
    const server = createServer({ allowHalfOpen: true, pauseOnConnect: true }, (client) =>
      this.accept(client),
    );
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: host || undefined, port }, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
    this.listen = formatAddress(server.address() as AddressInfo);
    this.enabled = true;
  }

  /** Stops listening and closes every connection, the way a cut cable would look to both ends. */
  async stop(): Promise<void> {
    if (!this.enabled) return;
    this.enabled = false;
    const server = this.server;
    this.server = undefined;
    const closed = new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    for (const socket of this.dialling) socket.destroy();
    for (const connection of this.connections) connection.destroy();
    await closed;
  }

  /** Upstream's update: a new listen or upstream restarts the proxy; `enabled` defaults to as-is. */
  async update(change: ProxyChange): Promise<void> {
    const listen = change.listen ?? this.listen;
    const upstream = change.upstream ?? this.upstream;
    const enabled = change.enabled ?? this.enabled;
    parseHostPort(listen, 'listen');
    parseHostPort(upstream, 'upstream');
    if (listen !== this.listen || upstream !== this.upstream) {
      await this.stop();
      this.listen = listen;
      this.upstream = upstream;
    }
    if (enabled) await this.start();
    else await this.stop();
  }

  /** The toxics in upstream's order: every upstream-stream toxic, then every downstream one. */
  listToxics(): ToxicSpec[] {
    return [
      ...this.toxics.filter((t) => t.stream === 'upstream'),
      ...this.toxics.filter((t) => t.stream === 'downstream'),
    ];
  }

  getToxic(name: string): ToxicSpec {
    const toxic = this.toxics.find((t) => t.name === name);
    if (!toxic) throw new ToxicNotFound();
    return toxic;
  }

  /** Adds a toxic from an API body; it applies at once to the connections already open. */
  addToxic(body: unknown): ToxicSpec {
    const toxic = parseNewToxic(body, { nameTaken: (name) => this.toxics.some((t) => t.name === name) });
    this.toxics.push(toxic);
    for (const connection of this.connections) connection.addToxic(toxic);
    return toxic;
  }

  updateToxic(name: string, body: unknown): ToxicSpec {
    const current = this.getToxic(name);
    const toxic = parseToxicUpdate(current, body);
    this.toxics = this.toxics.map((t) => (t === current ? toxic : t));
    for (const connection of this.connections) connection.updateToxic(toxic);
    return toxic;
  }

  removeToxic(name: string): void {
    const toxic = this.getToxic(name);
    this.toxics = this.toxics.filter((t) => t !== toxic);
    for (const connection of this.connections) connection.removeToxic(toxic);
  }

  removeAllToxics(): void {
    for (const toxic of this.listToxics()) this.removeToxic(toxic.name);
  }

  toJSON(): ProxyJson {
    const { name, listen, upstream, enabled } = this;
    return { name, listen, upstream, enabled, toxics: this.listToxics() };
  }

  private accept(client: Socket): void {
    const { host, port } = parseHostPort(this.upstream, 'upstream');
    const server = connect({ host: host || 'localhost', port, allowHalfOpen: true });
    this.dialling.add(client).add(server);
    const forget = () => {
      this.dialling.delete(client);
      this.dialling.delete(server);
    };
    // Like upstream: a client whose upstream cannot be reached is simply closed.
    const failed = () => {
      forget();
      client.destroy();
      server.destroy();
    };
    client.on('error', () => {});
    server.once('error', failed);
    server.once('close', forget);
    server.once('connect', () => {
      forget();
      server.off('error', failed);
      if (client.destroyed) {
        server.destroy();
        return;
      }
      const connection = new Connection(client, server, (c) => this.connections.delete(c));
      this.connections.add(connection);
      connection.start(this.toxics);
    });
  }
}
