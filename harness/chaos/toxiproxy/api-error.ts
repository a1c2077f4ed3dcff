import type { z } from 'zod';

/**
 * The errors toxiproxy's HTTP API answers with. Messages and statuses are upstream's (api.go), because
 * clients and scripts written against the real toxiproxy match on them; the body is upstream's too:
 * `{ "error": "<message>", "status": <code> }`.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }

  toJSON(): { error: string; status: number } {
    return { error: this.message, status: this.status };
  }
}

/** The body is not JSON, or a field has the wrong type; `why` says which. */
export class BadRequestBody extends ApiError {
  constructor(why: string) {
    super(400, `bad request body: ${why}`);
  }
}
export class MissingField extends ApiError {
  constructor(field: string) {
    super(400, `missing required field: ${field}`);
  }
}
export class ProxyNotFound extends ApiError {
  constructor() {
    super(404, 'proxy not found');
  }
}
export class ProxyAlreadyExists extends ApiError {
  constructor() {
    super(409, 'proxy already exists');
  }
}
export class InvalidStream extends ApiError {
  constructor() {
    super(400, 'stream was invalid, can be either upstream or downstream');
  }
}
export class InvalidToxicType extends ApiError {
  constructor() {
    super(400, 'invalid toxic type');
  }
}
export class ToxicAlreadyExists extends ApiError {
  constructor() {
    super(409, 'toxic already exists');
  }
}
export class ToxicNotFound extends ApiError {
  constructor() {
    super(404, 'toxic not found');
  }
}

/** Checks a JSON body against `schema`; the first problem becomes upstream's 400 "bad request body". */
export function parseBody<T>(schema: z.ZodType<T>, body: unknown): T {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const where = issue?.path.length ? `${issue.path.join('.')}: ` : '';
  throw new BadRequestBody(`${where}${issue?.message ?? 'invalid'}`);
}
