import type { AddressInfo } from 'node:net';
import { BadRequestBody } from './api-error.ts';

/** A `host:port` as toxiproxy takes it: `127.0.0.1:5432`, `localhost:0`, `[::1]:6379`, `:8080`. */
export interface HostPort {
  /** Empty means every interface (Go's `:port`). */
  host: string;
  port: number;
}

const HOST_PORT = /^(?:\[([^\]]*)\]|([^:[\]]*)):(\d{1,5})$/;

/** Parses `host:port`; `field` names the JSON field in the 400 it throws. */
export function parseHostPort(value: string, field: string): HostPort {
  const match = HOST_PORT.exec(value);
  const port = Number(match?.[3]);
  if (!match || port > 65535) {
    throw new BadRequestBody(`${field}: ${JSON.stringify(value)} is not a host:port address`);
  }
  return { host: match[1] ?? match[2] ?? '', port };
}

/** Formats a bound address the way Go's net.Addr does (IPv6 in brackets). */
export function formatAddress(address: AddressInfo): string {
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return `${host}:${address.port}`;
}
