import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { routePath } from 'hono/route';
import { QueryError } from '../shared/query-error.ts';
import { RetryLaterError } from '../shared/retry-later.ts';
import { StoreUnavailableError } from '../storage/types.ts';
import { SettingsError } from '../storage/settings/settings-store.ts';

/**
 * The one place an error becomes a status (the app's onError): routes throw typed errors for
 * expected failures, always answered `{ error }` as JSON; anything else is a bug, logged once and
 * answered 500.
 */
export function errorHandler(error: Error, c: Context): Response {
  if (error instanceof HTTPException)
    return c.json({ error: error.message || 'request failed' }, error.status);
  if (error instanceof QueryError) return c.json({ error: error.message }, 400);
  if (error instanceof StoreUnavailableError) {
    // Its message names files and system errors: the client only needs to know to retry.
    c.header('Retry-After', '5');
    return c.json({ error: 'storage is unavailable, retry later' }, 503);
  }
  if (error instanceof SettingsError) {
    // A damaged or locked settings file: accounts cannot be checked, so nothing is let through.
    console.error(`collector: settings: ${error.message}`);
    c.header('Retry-After', '5');
    return c.json({ error: 'settings are unavailable, retry later' }, 503);
  }
  if (error instanceof RetryLaterError) {
    c.header('Retry-After', String(error.retryAfter));
    return c.json({ error: error.message }, error.status);
  }
  // Logged without the request's headers or body (tokens, personal data) and by route pattern,
  // not path: /api/analytics/user/:user_id would otherwise put the user id in the log.
  console.error(`collector: ${c.req.method} ${routePath(c, -1)} failed: ${error.stack ?? error.message}`);
  return c.json({ error: 'internal error' }, 500);
}
