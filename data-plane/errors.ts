/**
 * The data plane's error model. Every error a client can see is an ApiError with a stable `name`,
 * an HTTP status and a `{type, code, message}` body; the app's one `onError` turns anything else into
 * a generic 500 without leaking a stack trace. `cause` is kept for logs.
 */

export type ErrorType = 'ClientError' | 'OriginError' | 'ServerError';

export interface ErrorBody {
  type: ErrorType;
  code: string;
  message: string;
  /** 5xx only: the ID under which the details were logged. */
  requestId?: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: 400 | 401 | 403 | 404 | 405 | 413 | 415 | 429 | 500 | 502 | 503 | 504,
    readonly type: ErrorType,
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  override name = 'ApiError';

  /**
   * What the client may read. `message` is for the logs and may name origins, ARNs with the account ID,
   * hosts or paths; the errors whose message can hold such details override this with a safe text.
   */
  get publicMessage(): string {
    return this.message;
  }

  toBody(): ErrorBody {
    return { type: this.type, code: this.code, message: this.publicMessage };
  }

  /** Headers the answer carries besides the body (`Allow`, `Retry-After`, `WWW-Authenticate`). */
  responseHeaders(): Record<string, string> {
    return {};
  }
}

/** 400: a malformed request; the message names the offending parameter or field. */
export class BadRequestError extends ApiError {
  override name = 'BadRequestError';
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(400, 'ClientError', code, message, options);
  }
}

/** 404: `NamespaceNotFound`, `RecommenderNotConfigured`, `NotFound`. */
export class NotFoundError extends ApiError {
  override name = 'NotFoundError';
  constructor(code: string, message: string) {
    super(404, 'ClientError', code, message);
  }
}

/** 405: the path exists but not for this method; `allow` lists the methods it answers. */
export class MethodNotAllowedError extends ApiError {
  override name = 'MethodNotAllowedError';
  constructor(
    method: string,
    readonly allow: readonly string[],
  ) {
    super(405, 'ClientError', 'MethodNotAllowed', `${method} is not allowed here; use ${allow.join(' or ')}`);
  }

  override responseHeaders(): Record<string, string> {
    return { Allow: this.allow.join(', ') };
  }
}

/** 401: no credential, or one that is not valid; `challenge` is the `WWW-Authenticate` value. */
export class UnauthorizedError extends ApiError {
  override name = 'UnauthorizedError';
  constructor(
    message: string,
    readonly challenge: string,
  ) {
    super(401, 'ClientError', 'Unauthorized', message);
  }

  override responseHeaders(): Record<string, string> {
    return { 'WWW-Authenticate': this.challenge };
  }
}

/** 503: credentials cannot be checked right now (the JWKS is unreachable). */
export class AuthenticationUnavailableError extends ApiError {
  override name = 'AuthenticationUnavailableError';
  constructor(options?: { cause?: unknown }) {
    super(503, 'ServerError', 'AuthenticationUnavailable', 'tokens cannot be checked right now; retry later', options);
  }
}

/** 413: body larger than the limit. */
export class PayloadTooLargeError extends ApiError {
  override name = 'PayloadTooLargeError';
  constructor(limitBytes: number) {
    super(413, 'ClientError', 'PayloadTooLarge', `request body exceeds ${limitBytes} bytes`);
  }
}

/** 500: the deployment cannot serve this request (e.g. no resolver for a variation type). Not the client's fault. */
export class ServerMisconfiguredError extends ApiError {
  override name = 'ServerMisconfiguredError';
  constructor(code: string, message: string) {
    super(500, 'ServerError', code, message);
  }
}

/** 429: the origin (or a store it depends on) throttled the request. */
export class OriginThrottledError extends ApiError {
  override name = 'OriginThrottledError';
  constructor(origin: string, options?: { cause?: unknown }) {
    super(429, 'OriginError', 'OriginThrottled', `${origin} is throttling requests; retry later`, options);
  }

  override get publicMessage(): string {
    return 'the recommender is throttling requests; retry later';
  }
}

/**
 * 400: the origin refused the request's own parameters (a Personalize `InvalidInputException` for a bad
 * filter value, an HTTP recommender's 400/404/422). Another attempt or another origin would fail the same
 * way, so it is the client's error and never counts against the origin's circuit. The origin's own words
 * stay in `cause` for the logs: they may name resources the client must not see.
 */
export class OriginRejectedRequestError extends ApiError {
  override name = 'OriginRejectedRequestError';
  constructor(options?: { cause?: unknown }) {
    super(
      400,
      'ClientError',
      'OriginRejectedRequest',
      "the recommender rejected this request's parameters (user, items, filter values or context)",
      options,
    );
  }
}

/** 502: the origin failed or answered something unusable. */
export class OriginFailedError extends ApiError {
  override name = 'OriginFailedError';
  constructor(origin: string, reason: string, options?: { cause?: unknown }) {
    super(502, 'OriginError', 'OriginFailed', `${origin} failed: ${reason}`, options);
  }

  override get publicMessage(): string {
    return 'an origin (recommender or item-metadata store) failed or gave an unusable answer';
  }
}

/** 504: the origin did not answer within the variation's timeout. */
export class OriginTimeoutError extends ApiError {
  override name = 'OriginTimeoutError';
  constructor(origin: string, timeoutMs: number, options?: { cause?: unknown }) {
    super(504, 'OriginError', 'OriginTimeout', `${origin} did not answer within ${timeoutMs} ms`, options);
    this.#timeoutMs = timeoutMs;
  }

  readonly #timeoutMs: number;

  override get publicMessage(): string {
    return `the recommender did not answer within ${this.#timeoutMs} ms`;
  }
}

/** 504: the request's budget ran out before its answer was ready. */
export class DeadlineExceededError extends ApiError {
  override name = 'DeadlineExceededError';
  constructor(what: string, budgetMs: number, options?: { cause?: unknown }) {
    super(
      504,
      'ServerError',
      'DeadlineExceeded',
      `${what} did not finish within the request's ${budgetMs} ms budget`,
      options,
    );
  }
}
