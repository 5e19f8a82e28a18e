import { Hono } from 'hono';
import { WIRE_LIMITS } from '../../shared/wire.ts';
import type { StoredRecord } from '../../storage/schema.ts';
import type { EventStore } from '../../storage/types.ts';
import { hasControlChar } from '../../shared/control-chars.ts';

export interface UserDataDeps {
  store: EventStore;
  /** told after an erasure, so in-memory indexes drop the user's rows */
  onErased?: (userId: string) => void | Promise<void>;
}

/** The user id from the path, or null when it could not be an id the collector ever stored. */
function userIdParam(raw: string | undefined): string | null {
  if (!raw || raw.length > WIRE_LIMITS.maxUserId || hasControlChar(raw)) return null;
  return raw;
}

/**
 * A data subject's rights over what the site's own user id recorded: DELETE erases every record
 * (GDPR art. 17), GET …/export returns them all as JSON (art. 15 and 20). Both sit under
 * /api/analytics, so the app's admin-token guard covers them. The user id is never logged.
 */
export function userDataRoutes(deps: UserDataDeps): Hono {
  const app = new Hono();

  app.delete('/api/analytics/user/:user_id', async (c) => {
    const userId = userIdParam(c.req.param('user_id'));
    if (!userId)
      return c.json({ error: 'user_id must be 1 to 200 characters without control characters' }, 400);
    // A StoreUnavailableError is the app's 503 + Retry-After (app.ts).
    const erased = await deps.store.eraseUser(userId);
    await deps.onErased?.(userId);
    const skipped = (await deps.store.unreadableFiles?.()) ?? [];
    console.log(`privacy: erased ${erased} record(s) of one user id`);
    c.header('Cache-Control', 'no-store');
    if (skipped.length === 0) return c.json({ erased });
    // Everything readable is erased, but unreadable files set aside may still hold the user's
    // records: 207 so the caller cannot take it for a complete erasure, with the files to look at.
    console.warn(`privacy: that erasure could not search ${skipped.length} unreadable file(s) set aside`);
    return c.json(
      {
        erased,
        complete: false,
        skipped,
        error: 'these files could not be read and may still hold records of this user id',
      },
      207,
    );
  });

  app.get('/api/analytics/user/:user_id/export', (c) => {
    const userId = userIdParam(c.req.param('user_id'));
    if (!userId)
      return c.json({ error: 'user_id must be 1 to 200 characters without control characters' }, 400);
    c.header('Cache-Control', 'no-store');
    c.header('Content-Disposition', 'attachment; filename="analytics-export.json"');
    c.header('X-Content-Type-Options', 'nosniff');
    c.header('Content-Type', 'application/json; charset=utf-8');
    return c.body(exportStream(deps.store, userId));
  });

  return app;
}

/**
 * Streams `{"user": …, "records": [ … ], "complete": …}` record by record, so exporting a heavy
 * user never holds all of their rows in memory at once. The status line goes out before the
 * records are read, so whether the export is whole is said at the end: `"complete": true`, or
 * false with the unreadable files it could not look into (`skipped`) or a read `error`. The body
 * is valid JSON either way; a body without that trailer was cut off in transit.
 */
function exportStream(store: EventStore, userId: string): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  const iterator = store.exportUser(userId)[Symbol.asyncIterator]();
  let first = true;
  let started = false;
  const finish = async (controller: ReadableStreamDefaultController<Uint8Array>, failed: boolean) => {
    const skipped = (await store.unreadableFiles?.().catch(() => [])) ?? [];
    const trailer: Record<string, unknown> = { complete: !failed && skipped.length === 0 };
    if (skipped.length > 0) trailer.skipped = skipped;
    if (failed) trailer.error = 'reading the stored events failed part-way; retry later';
    controller.enqueue(encoder.encode(`\n],${JSON.stringify(trailer).slice(1)}\n`));
    controller.close();
  };
  return new ReadableStream({
    async pull(controller) {
      if (!started) {
        started = true;
        controller.enqueue(encoder.encode(`{"user":${JSON.stringify(userId)},"records":[`));
        return;
      }
      let next: IteratorResult<StoredRecord>;
      try {
        next = await iterator.next();
      } catch (error) {
        // Logged without the user id (the route's promise); the client sees "complete": false.
        console.error(`privacy: a user export failed part-way: ${(error as Error).message}`);
        await finish(controller, true);
        return;
      }
      if (next.done) {
        await finish(controller, false);
        return;
      }
      controller.enqueue(encoder.encode((first ? '\n' : ',\n') + JSON.stringify(next.value)));
      first = false;
    },
    async cancel() {
      await iterator.return?.();
    },
  });
}
