import { Hono, type Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { Annotations } from '../../query/goals/annotations.ts';
import type { CardSettings } from '../../query/goals/cards.ts';
import type { Goals } from '../../query/goals/goals.ts';
import { LimitError } from '../../query/goals/limit-error.ts';
import { siteOf } from '../../query/validate.ts';
import { SETTING_ID } from '../../storage/settings/settings-store.ts';
import { answer, json } from './analytics.ts';

export interface GoalRouteDeps {
  goals: Goals;
  cards: CardSettings;
  annotations: Annotations;
}

/**
 * What an admin defines at run time: goals, metric cards and annotations (docs/goals-and-annotations.md).
 * The guard on /api/analytics/* checks the token; route-access.ts lists who may call each route.
 */
export function goalRoutes(deps: GoalRouteDeps): Hono {
  const app = new Hono();
  const { goals, cards, annotations } = deps;

  app.get('/api/analytics/goals', (c) => answer(c, () => goals.report(c.req.query())));
  app.post('/api/analytics/goals', (c) =>
    answer(c, async () => created(c, await limited(async () => goals.create(await json(c))))),
  );
  app.put('/api/analytics/goals/:id', (c) =>
    answer(c, async () => {
      const id = idParam(c);
      const goal = id && (await limited(async () => goals.update(id, await json(c))));
      return goal || notFound(c, 'goal');
    }),
  );
  app.delete('/api/analytics/goals/:id', (c) =>
    answer(c, async () => {
      const id = idParam(c);
      return id && (await goals.remove(id)) ? { deleted: true } : notFound(c, 'goal');
    }),
  );

  app.get('/api/analytics/cards', (c) => answer(c, () => cards.get(siteOf(c.req.query('site')))));
  app.put('/api/analytics/cards', (c) =>
    answer(c, async () => cards.put(siteOf(c.req.query('site')), await json(c))),
  );
  app.delete('/api/analytics/cards', (c) =>
    answer(c, async () => {
      const site = siteOf(c.req.query('site'));
      if (!(await cards.remove(site))) return notFound(c, 'saved card set');
      return cards.get(site);
    }),
  );

  app.get('/api/analytics/annotations', (c) => answer(c, () => annotations.list(c.req.query())));
  app.post('/api/analytics/annotations', (c) =>
    answer(c, async () => created(c, await limited(async () => annotations.create(await json(c))))),
  );
  app.delete('/api/analytics/annotations/:id', (c) =>
    answer(c, async () => {
      const id = idParam(c);
      return id && (await annotations.remove(id)) ? { deleted: true } : notFound(c, 'annotation');
    }),
  );
  return app;
}

/** A cap reached is the client's to fix (delete one first): 409 with the reason. */
async function limited<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof LimitError) throw new HTTPException(409, { message: error.message });
    throw error;
  }
}

/** '' for an id the store could never hold: not found, rather than the store's own error (a 500). */
function idParam(c: Context): string {
  const id = c.req.param('id') ?? '';
  return SETTING_ID.test(id) ? id : '';
}

function created(c: Context, body: object): Response {
  c.header('Cache-Control', 'no-store');
  return c.json(body, 201);
}

function notFound(c: Context, what: string): Response {
  return c.json({ error: `no such ${what}` }, 404);
}
