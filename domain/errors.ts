/**
 * The one error hierarchy. Each error carries a stable code and the HTTP status it maps to,
 * so the API turns any of them into the one error shape without knowing the class.
 * Callers check `code`, not `instanceof` (errors cross module copies and processes).
 */
export type ErrorCode =
  | 'VALIDATION_FAILED'
  | 'NOT_FOUND'
  | 'FORBIDDEN'
  | 'UNAUTHENTICATED'
  | 'CONFLICT'
  /** Well-formed, but a third party (e.g. AWS) refused it: retrying the same request will not help. */
  | 'UNPROCESSABLE'
  /** An idempotency key sent again with a different request: the first request's answer does not fit it. */
  | 'IDEMPOTENCY_KEY_REUSED'
  | 'CONCURRENCY_CONFLICT'
  | 'STREAM_DELETED'
  | 'STORE_UNAVAILABLE'
  | 'RATE_LIMITED'
  | 'INTERNAL';

const statusOf: Record<ErrorCode, number> = {
  VALIDATION_FAILED: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  STREAM_DELETED: 410,
  CONCURRENCY_CONFLICT: 412,
  UNPROCESSABLE: 422,
  IDEMPOTENCY_KEY_REUSED: 422,
  RATE_LIMITED: 429,
  INTERNAL: 500,
  STORE_UNAVAILABLE: 503,
};

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly details: unknown;

  constructor(code: ErrorCode, message: string, options: { details?: unknown; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.status = statusOf[code];
    this.details = options.details;
  }
}

export class ValidationError extends AppError {
  constructor(message: string, details?: unknown) {
    super('VALIDATION_FAILED', message, { details });
  }
}

export class NotFoundError extends AppError {
  constructor(message: string) {
    super('NOT_FOUND', message);
  }
}

export class ConflictError extends AppError {
  constructor(message: string, details?: unknown) {
    super('CONFLICT', message, { details });
  }
}

/** The stream was not at the revision the writer expected: someone else wrote first. */
export class ConcurrencyError extends AppError {
  constructor(
    readonly stream: string,
    readonly expected: string,
    readonly actual: string,
  ) {
    super('CONCURRENCY_CONFLICT', `Stream ${stream} was expected at ${expected} but is at ${actual}`);
  }
}

export class StreamDeletedError extends AppError {
  constructor(readonly stream: string) {
    super('STREAM_DELETED', `Stream ${stream} has been deleted`);
  }
}

/** The command id (a client's idempotency key) was recorded for another request, so this one is refused, not run. */
export class IdempotencyKeyReusedError extends AppError {
  constructor() {
    super('IDEMPOTENCY_KEY_REUSED', 'This Idempotency-Key was already used for a different request (another method, path or body); send a new key with a new request');
  }
}

/** A store we depend on cannot be reached; the message says which and where. */
export class StoreUnavailableError extends AppError {
  constructor(message: string, cause?: unknown) {
    super('STORE_UNAVAILABLE', message, { cause });
  }
}

/**
 * A stored event that no schema reads: an unknown type where one of a known set was expected, or a
 * shape that is neither the current one nor one its upcasters know. Ours to fix, never the caller's.
 */
export class MalformedEventError extends AppError {
  constructor(
    readonly stream: string,
    readonly revision: bigint,
    readonly type: string,
    problem: string,
  ) {
    super('INTERNAL', `The stored event ${type} at revision ${revision} of stream ${stream} ${problem}`);
  }
}

export function isAppError(error: unknown): error is AppError {
  return error instanceof Error && typeof (error as Partial<AppError>).code === 'string' && typeof (error as Partial<AppError>).status === 'number';
}

export function hasCode(error: unknown, code: ErrorCode): boolean {
  return isAppError(error) && error.code === code;
}
