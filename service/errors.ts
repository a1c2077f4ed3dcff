/**
 * Every error a client can see: a typed class with a stable machine-readable code and its HTTP status.
 * They are mapped to responses in one place (api/app.ts onError).
 */
export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class InvalidRequest extends AppError {
  constructor(message: string, details?: unknown) {
    super(400, 'invalid_request', message, details);
  }
}
/** A string in the request holds ill-formed Unicode (a lone surrogate), or the body is not UTF-8. */
export class InvalidUnicode extends AppError {
  constructor(message: string, details?: unknown) {
    super(400, 'invalid_unicode', message, details);
  }
}
/**
 * The client hung up while sending its body: nothing was done. Its own code, and a 4xx: a client's
 * abort is not an outage of ours and must not look like one in the 5xx ratio.
 */
export class RequestAborted extends AppError {
  constructor(cause?: unknown) {
    super(400, 'request_aborted', 'the request body could not be read to its end; nothing was done');
    if (cause !== undefined) this.cause = cause;
  }
}
export class UnsupportedMediaType extends AppError {
  constructor() {
    super(415, 'unsupported_media_type', 'the body must be JSON: Content-Type: application/json');
  }
}
export class PayloadTooLarge extends AppError {
  constructor(maxBytes: number) {
    super(413, 'payload_too_large', `the body exceeds ${maxBytes} bytes`);
  }
}
export class IdempotencyKeyMissing extends AppError {
  constructor() {
    super(
      400,
      'idempotency_key_missing',
      'money-moving requests need an Idempotency-Key header (a unique key per operation; resend it on a retry)',
    );
  }
}
export class Unauthorized extends AppError {
  constructor() {
    super(401, 'unauthorized', 'a valid API key is needed: Authorization: Bearer <key>');
  }
}
export class Forbidden extends AppError {
  constructor(what = 'this account') {
    super(403, 'forbidden', `${what} belongs to another user`);
  }
}
/** Creating money is an operator act: an ordinary API key may not deposit, into any account. */
export class OperatorOnly extends AppError {
  constructor() {
    super(403, 'operator_only', 'only an operator key may deposit money');
  }
}
export class NotFound extends AppError {
  constructor(what: string, code = 'not_found') {
    super(404, code, `${what} not found`);
  }
}
export class IdempotencyKeyInFlight extends AppError {
  constructor() {
    super(
      409,
      'idempotency_key_in_flight',
      'a request with this Idempotency-Key is still being processed; retry',
    );
  }
}
export class IdempotencyKeyReused extends AppError {
  constructor() {
    super(422, 'idempotency_key_reused', 'this Idempotency-Key was used with a different request');
  }
}
export class InsufficientFunds extends AppError {
  constructor() {
    super(422, 'insufficient_funds', 'the account balance is lower than the amount');
  }
}
export class CurrencyMismatch extends AppError {
  constructor() {
    super(422, 'currency_mismatch', 'the currency does not match the account');
  }
}
/** Retryable: the row lock was not granted within LOCK_TIMEOUT_MS; nothing happened. */
export class LockTimeout extends AppError {
  constructor() {
    super(
      503,
      'lock_timeout',
      'the account is busy; nothing was changed, retry with the same Idempotency-Key',
    );
  }
}
/** Retryable: deadlock or serialization retries ran out; nothing happened. */
export class ConflictRetryExhausted extends AppError {
  constructor() {
    super(503, 'conflict_retry_exhausted', 'the operation conflicted repeatedly; nothing was changed, retry');
  }
}
export class DatabaseUnavailable extends AppError {
  constructor() {
    super(503, 'database_unavailable', 'the database is unavailable; retry with the same Idempotency-Key');
  }
}
