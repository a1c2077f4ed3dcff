import type { Charge } from '../../contract/bank.ts';

/** A refusal of the bank with a stable machine-readable code; app.ts maps each class to one status. */
export class BankError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly charge?: Charge,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class InvalidRequest extends BankError {
  constructor(message: string) {
    super('invalid_request', message);
  }
}

export class IdempotencyKeyMissing extends BankError {
  constructor() {
    super('idempotency_key_missing', 'a signed charge needs an Idempotency-Key header');
  }
}

export class NotFound extends BankError {
  constructor(message: string) {
    super('not_found', message);
  }
}

export class IdempotencyKeyReused extends BankError {
  constructor(key: string) {
    super('idempotency_key_reused', `idempotency key ${key} was first used with a different request`);
  }
}

export class ChargeVoided extends BankError {
  constructor(charge: Charge) {
    super('charge_voided', `idempotency key ${charge.key} was voided; it can never charge`, charge);
  }
}

export class AlreadyCharged extends BankError {
  constructor(charge: Charge) {
    super(
      'already_charged',
      `idempotency key ${charge.key} has already charged; it cannot be voided`,
      charge,
    );
  }
}

/** Injected fault: the bank refuses before doing anything. */
export class BankUnavailableFault extends BankError {
  constructor() {
    super('bank_unavailable', 'injected fault: the bank is unavailable, nothing was charged');
  }
}

/** Injected fault: the bank held the request and gave up without charging. */
export class BankTimeoutFault extends BankError {
  constructor() {
    super('bank_timeout', 'injected fault: the bank timed out, nothing was charged');
  }
}

export class LedgerClosed extends BankError {
  constructor() {
    super('ledger_closed', 'the bank is shutting down');
  }
}
