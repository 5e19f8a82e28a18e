/** A request that is well formed but cannot be done now (a cap reached): the routes answer 409. */
export class LimitError extends Error {
  override name = 'LimitError';
}
