import { z } from 'zod';
import { BadRequestBody, MissingField, ProxyAlreadyExists, ProxyNotFound, parseBody } from './api-error.ts';
import { type ProxyChange, type ProxyJson, TcpProxy } from './proxy.ts';

/**
 * Where a proxy listens when the body names no address. Upstream listens on every interface then;
 * a chaos harness has no business opening ports beyond loopback, so we default to it.
 */
const DEFAULT_LISTEN = '127.0.0.1:0';

const proxyBody = z.object({
  name: z.string().optional(),
  listen: z.string().optional(),
  upstream: z.string().optional(),
  enabled: z.boolean().optional(),
});
const populateBody = z.array(proxyBody);
const changeBody = proxyBody.omit({ name: true });

type ProxyBody = z.infer<typeof proxyBody>;
type ProxyConfig = { name: string; listen: string; upstream: string; enabled: boolean };

/**
 * Every proxy by name. Changes run one at a time (upstream holds a lock for the same reason): two
 * requests must not start and stop the same listener in between each other's awaits.
 */
export class ProxyCollection {
  private readonly proxies = new Map<string, TcpProxy>();
  private tail: Promise<unknown> = Promise.resolve();

  list(): Record<string, ProxyJson> {
    return Object.fromEntries([...this.proxies].map(([name, proxy]) => [name, proxy.toJSON()]));
  }

  get(name: string): TcpProxy {
    const proxy = this.proxies.get(name);
    if (!proxy) throw new ProxyNotFound();
    return proxy;
  }

  /** `POST /proxies`: creates and (unless `enabled: false`) starts one proxy. */
  create(body: unknown): Promise<TcpProxy> {
    return this.exclusive(async () => {
      const config = readConfig(parseBody(proxyBody, body));
      if (this.proxies.has(config.name)) throw new ProxyAlreadyExists();
      const proxy = new TcpProxy(config);
      if (config.enabled) await proxy.start();
      this.proxies.set(proxy.name, proxy);
      return proxy;
    });
  }

  /**
   * `POST /populate`: creates or replaces many proxies. A proxy whose listen and upstream are unchanged
   * is kept as it is (toxics and connections too); a changed one is replaced by a fresh proxy. All
   * bodies are checked first, and a failure to listen undoes the proxies this call had replaced.
   */
  populate(body: unknown): Promise<TcpProxy[]> {
    return this.exclusive(async () => {
      const configs = parseBody(populateBody, body).map((item, i) => readConfig(item, ` at proxy ${i + 1}`));
      const names = new Set<string>();
      for (const { name } of configs) {
        if (names.has(name)) throw new BadRequestBody(`duplicate proxy name ${JSON.stringify(name)}`);
        names.add(name);
      }
      const fresh = configs.map((config) => ({ config, proxy: new TcpProxy(config) }));
      const result: TcpProxy[] = [];
      const replaced: { proxy: TcpProxy; previous?: TcpProxy; wasEnabled: boolean }[] = [];
      try {
        for (const { config, proxy } of fresh) {
          const previous = this.proxies.get(config.name);
          if (previous?.listen === config.listen && previous.upstream === config.upstream) {
            result.push(previous);
            continue;
          }
          replaced.push({ proxy, previous, wasEnabled: previous?.enabled ?? false });
          await previous?.stop();
          if (config.enabled) await proxy.start();
          this.proxies.set(config.name, proxy);
          result.push(proxy);
        }
      } catch (err) {
        for (const { proxy, previous, wasEnabled } of replaced.reverse()) {
          await proxy.stop();
          if (!previous) this.proxies.delete(proxy.name);
          else {
            this.proxies.set(previous.name, previous);
            if (wasEnabled) await previous.start().catch(() => {});
          }
        }
        throw err;
      }
      return result;
    });
  }

  /** `POST /proxies/{proxy}`: new listen, upstream or enabled. */
  update(name: string, body: unknown): Promise<TcpProxy> {
    return this.exclusive(async () => {
      const proxy = this.get(name);
      const change: ProxyChange = parseBody(changeBody, body);
      await proxy.update(change);
      return proxy;
    });
  }

  remove(name: string): Promise<void> {
    return this.exclusive(async () => {
      await this.get(name).stop();
      this.proxies.delete(name);
    });
  }

  /** `POST /reset`: every proxy enabled again, every toxic removed. */
  reset(): Promise<void> {
    return this.exclusive(async () => {
      for (const proxy of this.proxies.values()) {
        await proxy.start();
        proxy.removeAllToxics();
      }
    });
  }

  /** Stops every proxy (the server is shutting down). */
  closeAll(): Promise<void> {
    return this.exclusive(async () => {
      await Promise.all([...this.proxies.values()].map((proxy) => proxy.stop()));
      this.proxies.clear();
    });
  }

  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = this.tail.then(work, work);
    this.tail = run.catch(() => {});
    return run;
  }
}

/** Upstream's required fields and defaults; `where` locates the proxy in a populate array. */
function readConfig(body: ProxyBody, where = ''): ProxyConfig {
  if (!body.name) throw new MissingField(`name${where}`);
  if (!body.upstream) throw new MissingField(`upstream${where}`);
  return {
    name: body.name,
    listen: body.listen || DEFAULT_LISTEN,
    upstream: body.upstream,
    enabled: body.enabled ?? true,
  };
}
