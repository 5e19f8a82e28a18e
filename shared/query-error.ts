/** A request value that cannot work; the HTTP layer answers 400 with this message. */
export class QueryError extends Error {
  override name = 'QueryError';
}
