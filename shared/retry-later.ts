/**
 * An expected failure the client should retry after `retryAfter` seconds: the app's one error
 * handler answers `status` (503 by default, 429 for a limit) with Retry-After and the message.
 */
export class RetryLaterError extends Error {
  override name = 'RetryLaterError';
  constructor(
    message: string,
    readonly retryAfter: number,
    readonly status: 429 | 503 = 503,
  ) {
    super(message);
  }
}
