import { z } from 'zod';
import {
  BadRequestBody,
  InvalidStream,
  InvalidToxicType,
  parseBody,
  ToxicAlreadyExists,
} from './api-error.ts';

/** Which way a toxic acts: upstream is client → server, downstream is server → client. */
export type Stream = 'upstream' | 'downstream';

/** Every attribute of every toxic type, with upstream's zero values as defaults. */
const attributeDefaults = {
  latency: { latency: 0, jitter: 0 },
  bandwidth: { rate: 0 },
  slow_close: { delay: 0 },
  timeout: { timeout: 0 },
  reset_peer: { timeout: 0 },
  slicer: { average_size: 0, size_variation: 0, delay: 0 },
  limit_data: { bytes: 0 },
} as const;

export type ToxicType = keyof typeof attributeDefaults;
export type ToxicAttributes<T extends ToxicType = ToxicType> = {
  [K in keyof (typeof attributeDefaults)[T]]: number;
};

/** One toxic as the API shows it; upstream's JSON field order. */
export interface ToxicSpec {
  attributes: Record<string, number>;
  name: string;
  type: ToxicType;
  stream: Stream;
  /** Probability that a connection gets this toxic, rolled per connection. */
  toxicity: number;
}

const createBody = z.object({
  name: z.string().optional(),
  type: z.string().optional(),
  stream: z.string().optional(),
  toxicity: z.number().optional(),
  attributes: z.record(z.string(), z.unknown()).nullish(),
});

const updateBody = z.object({
  toxicity: z.number().optional(),
  attributes: z.record(z.string(), z.unknown()).nullish(),
});

/**
 * Reads a `POST /proxies/{proxy}/toxics` body, checking in upstream's order (JSON, stream, type, name
 * taken, attributes) and filling upstream's defaults: stream downstream, toxicity 1, name
 * `<type>_<stream>`.
 */
export function parseNewToxic(body: unknown, opts: { nameTaken: (name: string) => boolean }): ToxicSpec {
  const input = parseBody(createBody, body);
  const stream = input.stream ?? 'downstream';
  if (stream !== 'upstream' && stream !== 'downstream') throw new InvalidStream();
  const type = input.type ?? '';
  if (!isToxicType(type)) throw new InvalidToxicType();
  const name = input.name || `${type}_${stream}`;
  if (opts.nameTaken(name)) throw new ToxicAlreadyExists();
  return {
    attributes: readAttributes(type, attributeDefaults[type], input.attributes ?? {}),
    name,
    type,
    stream,
    toxicity: input.toxicity ?? 1,
  };
}

/**
 * Applies a `POST /proxies/{proxy}/toxics/{toxic}` body: like upstream, only attributes (merged over
 * the current ones) and toxicity change; name, type and stream are fixed once created.
 */
export function parseToxicUpdate(current: ToxicSpec, body: unknown): ToxicSpec {
  const input = parseBody(updateBody, body);
  return {
    ...current,
    attributes: readAttributes(current.type, current.attributes, input.attributes ?? {}),
    toxicity: input.toxicity ?? current.toxicity,
  };
}

function isToxicType(type: string): type is ToxicType {
  return Object.hasOwn(attributeDefaults, type);
}

/** Known attributes must be numbers; unknown ones are ignored, as Go's JSON decoder does. */
function readAttributes(
  type: ToxicType,
  base: Readonly<Record<string, number>>,
  input: Record<string, unknown>,
): Record<string, number> {
  const attributes: Record<string, number> = { ...base };
  for (const key of Object.keys(attributeDefaults[type])) {
    const value = input[key];
    if (value === undefined || value === null) continue;
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      throw new BadRequestBody(`attributes.${key} of a ${type} toxic must be a number`);
    }
    attributes[key] = value;
  }
  return attributes;
}
