import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Toxiproxy, type Proxy as ToxiproxyProxy } from 'toxiproxy-node-client';
import type { NativeApi, NativeExtras } from '../../contract/native.ts';
import type { ComponentAction, Link, TargetComponent, TargetDescription } from '../../contract/target.ts';
import { BankControl } from '../../fakes/bank/client.ts';
import { ApiClient } from '../client/api-client.ts';
import { type Capability, describedCapabilities } from './capabilities.ts';
import { CommandError, runCommand } from './command.ts';
import { httpStateReader, type StateReader, sqlStateReader } from './state.ts';

/** How a target came to be: started by faultline itself (native), or described by a file (black-box). */
export type TargetMode = 'native' | 'black-box';

export interface TestUser {
  userId: string;
  apiKey: string;
}

/** One part of the target the nemesis can hit, with the commands its description gives. */
export interface Component {
  name: string;
  role: string;
  /** Its /metrics URL, when the description gives one. */
  metrics: string | undefined;
  /** Runs one of its actions (kill, pause, …): resolves once the command has returned. */
  run(action: ComponentAction): Promise<void>;
}

/** The target asked for something its description does not give (a scenario should have been skipped). */
export class MissingCapability extends Error {
  override readonly name = 'MissingCapability';
}

/**
 * A running payment service, as the harness sees it: its API, the mock bank it charges, the reads of
 * its state, the commands that hit its parts, the proxies in its links — all from its description —
 * and, natively, what the stack faultline started offers beyond (contract/native.ts).
 */
export class Target {
  readonly capabilities: ReadonlySet<Capability>;
  /** The client the workload uses (the first API URL). */
  readonly api: ApiClient;
  readonly bank: BankControl | null;
  readonly state: StateReader | null;
  readonly #proxies: Toxiproxy | null;
  readonly #links = new Map<Link, ToxiproxyProxy>();
  readonly #components: Component[];
  readonly #extraApis: NativeApi[] = [];

  constructor(
    readonly description: TargetDescription,
    readonly opts: {
      mode: TargetMode;
      /** The description's file, in black-box mode. */
      file?: string;
      native?: NativeExtras;
    },
  ) {
    const d = description;
    const have = describedCapabilities(d);
    for (const c of opts.native?.capabilities ?? []) have.add(c);
    this.capabilities = have;
    this.api = new ApiClient(d.api.urls[0] as string);
    this.bank = d.bank
      ? new BankControl({
          baseUrl: d.bank.url,
          ...(d.bank.signingKeyFile
            ? { signingKey: readFileSync(d.bank.signingKeyFile, 'utf8').trim() }
            : {}),
          ...(d.bank.caFile ? { ca: readFileSync(d.bank.caFile) } : {}),
        })
      : null;
    this.state = !d.state
      ? null
      : d.state.kind === 'sql'
        ? sqlStateReader(d.state)
        : httpStateReader(d.state);
    this.#proxies = d.proxies ? new Toxiproxy(d.proxies.url) : null;
    this.#components = Object.entries(d.components).map(([name, c]) => component(name, c));
  }

  get name(): string {
    return this.description.name;
  }

  get mode(): TargetMode {
    return this.opts.mode;
  }

  /** The native stack's extras; throws on any other target. */
  get native(): NativeExtras {
    if (!this.opts.native) throw new MissingCapability(`${this.name} is not the native stack`);
    return this.opts.native;
  }

  /** Creates a test user through the description's command. */
  async createUser(name: string): Promise<TestUser> {
    const create = this.description.users?.create;
    if (!create) throw new MissingCapability(`${this.name} describes no way to create users`);
    const out = await runCommand(create, { name });
    let user: Partial<TestUser>;
    try {
      user = JSON.parse(out) as Partial<TestUser>;
    } catch {
      throw new CommandError(`users.create printed no JSON object: ${out.trim().slice(0, 200)}`);
    }
    if (typeof user.userId !== 'string' || typeof user.apiKey !== 'string')
      throw new CommandError(`users.create printed no userId and apiKey: ${out.trim().slice(0, 200)}`);
    return { userId: user.userId, apiKey: user.apiKey };
  }

  /** Puts money into an account: a deposit with the operator key, or the description's command. */
  async fund(accountId: string, amount: number, currency: string): Promise<void> {
    const funding = this.description.funding;
    if (!funding) throw new MissingCapability(`${this.name} describes no way to fund accounts`);
    if ('command' in funding) {
      await runCommand(funding.command, { accountId, amount, currency });
      return;
    }
    // A deposit moves money, so it carries a key of its own (a retry of it could not move it twice).
    const key = `fund-${accountId}-${randomUUID()}`;
    const done = await this.api.deposit(funding.operatorKey, key, accountId, { amount, currency });
    const status = (done.value as { status?: number } | null)?.status;
    if (done.type !== 'ok' || status !== 201)
      throw new Error(`funding ${accountId} failed: ${status ?? done.error} ${JSON.stringify(done.value)}`);
  }

  /** Its components of `role` (every one without a role), in the description's order. */
  components(role?: string): Component[] {
    return this.#components.filter((c) => role === undefined || c.role === role);
  }

  /** The /metrics URLs of its components of `role`, and of API processes started since. */
  metrics(role: string): string[] {
    const described = this.components(role).flatMap((c) => (c.metrics ? [c.metrics] : []));
    return role === 'api' ? [...described, ...this.#extraApis.map((a) => a.metrics)] : described;
  }

  /**
   * `n` API processes: the description's URLs, and natively, more started until there are `n`
   * (`native:spawn-api`).
   */
  async apis(n: number): Promise<Array<{ name: string; url: string; metrics: string | undefined }>> {
    const described = this.description.api.urls.map((url, i) => ({
      name: this.components('api')[i]?.name ?? `api-${i + 1}`,
      url,
      metrics: this.components('api')[i]?.metrics,
    }));
    while (described.length + this.#extraApis.length < n) this.#extraApis.push(await this.native.startApi());
    return [...described, ...this.#extraApis].slice(0, n);
  }

  /** The proxies' server its links run through, for a proxy of a scenario's own. */
  proxyServer(): Toxiproxy {
    if (!this.#proxies) throw new MissingCapability(`${this.name} describes no proxies`);
    return this.#proxies;
  }

  /** The proxy in one of its links. */
  async link(name: Link): Promise<ToxiproxyProxy> {
    const proxyName = this.description.proxies?.links[name];
    if (!this.#proxies || !proxyName) throw new MissingCapability(`${this.name}'s ${name} link has no proxy`);
    let proxy = this.#links.get(name);
    if (!proxy) {
      proxy = await this.#proxies.get(proxyName);
      this.#links.set(name, proxy);
    }
    return proxy;
  }

  /** Runs its reconciliation now; what it answered (JSON when it did), once it is done. */
  async recon(): Promise<{ ok: boolean; status: number | null; body: unknown }> {
    const recon = this.description.recon;
    if (!recon) throw new MissingCapability(`${this.name} describes no reconciliation`);
    if ('command' in recon) {
      const out = await runCommand(recon.command);
      return { ok: true, status: null, body: parseJson(out) };
    }
    const res = await fetch(recon.url, { method: 'POST', signal: AbortSignal.timeout(600_000) });
    return { ok: res.ok, status: res.status, body: parseJson(await res.text()) };
  }

  async close(): Promise<void> {
    this.bank?.close();
    await this.state?.close();
  }
}

function component(name: string, c: TargetComponent): Component {
  return {
    name,
    role: c.role,
    metrics: c.metrics,
    async run(action) {
      const command = c[action];
      if (!command) throw new MissingCapability(`component ${name} has no ${action} command`);
      await runCommand(command, { name });
    },
  };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
