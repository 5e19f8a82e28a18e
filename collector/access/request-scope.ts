import type { Context } from 'hono';
import { readBodyLimited } from '../read-body.ts';
import type { RouteAccess } from '../route-access.ts';
import type { AccessStore } from './access-store.ts';
import type { Scope } from './roles.ts';

/** As the query routes' own limit (server/routes/analytics.ts), so the guard never refuses what they accept. */
const MAX_BODY_BYTES = 256 * 1024;
const WITH_BODY = new Set(['POST', 'PUT', 'PATCH']);

export interface RequestScope {
  scope: Scope;
  /** the request names identified users (a `user` dimension or filter) */
  namesUsers: boolean;
}

/**
 * The sites a request is about and whether it names identified users: the one place that reads
 * them, for every route. The `site` of the query string and the JSON body both count (the query
 * routes let the body's win, so a requester must hold both). The body is read here, within the
 * routes' own size limit, and put back for the handler. Null with an answer when the body is too
 * big or the path's key or link does not exist.
 */
export async function requestScope(
  c: Context,
  route: RouteAccess,
  store: AccessStore,
): Promise<RequestScope | Response> {
  if (route.site === 'all') return { scope: '*', namesUsers: false };
  if (route.site === 'any') return { scope: 'any', namesUsers: false };
  if (route.site === 'api-key' || route.site === 'link') {
    const id = c.req.path.split('/').pop() ?? '';
    const doc = route.site === 'api-key' ? await store.key(id) : await store.link(id);
    if (!doc || doc.site === null)
      return c.json({ error: `no such ${route.site === 'link' ? 'link' : 'key'}` }, 404);
    return { scope: [doc.site], namesUsers: false };
  }
  const named: unknown[] = [];
  if (route.site === 'setting') {
    const id = decodedSegment(c.req.path.split('/').pop() ?? '');
    const doc = await store.setting(route.kind ?? '', id);
    // A missing document is the handler's 404; a document of no site is everyone's default.
    named.push(doc ? (doc.site ?? '*') : '\u0000no such document');
  }
  const query = c.req.query();
  if (query.site !== undefined && query.site !== '') named.push(query.site);
  let body: unknown = undefined;
  if (WITH_BODY.has(c.req.method)) {
    const text = await readBodyLimited(c.req.raw, MAX_BODY_BYTES);
    if (text === null) return c.json({ error: `body exceeds ${MAX_BODY_BYTES} bytes` }, 413);
    const raw = c.req.raw;
    c.req.raw = new Request(raw.url, { method: raw.method, headers: raw.headers, body: text });
    body = parseJson(text);
    const site = (body as { site?: unknown } | null)?.site;
    if (site !== undefined && site !== null && site !== '') named.push(site);
  }
  const sites = [...new Set(named.map(siteKey))];
  let namesUsers = false;
  if (route.usersIn === 'query') namesUsers = mentionsUser(parseJson(query.filters ?? 'null'));
  if (route.usersIn === 'body' && typeof body === 'object' && body !== null) {
    const { dimensions, filters, steps } = body as Record<string, unknown>;
    namesUsers =
      (Array.isArray(dimensions) && dimensions.includes('user')) ||
      mentionsUser(filters) ||
      mentionsUser(steps);
  }
  if (route.usersIn === 'body') namesUsers ||= mentionsUser(parseJson(query.filters ?? 'null'));
  return { scope: sites.length === 0 ? '*' : sites, namesUsers };
}

// A site that is no string can match no grant but '*' (the handler then answers its 400).
const siteKey = (site: unknown) => (typeof site === 'string' ? site.toLowerCase() : '\u0000not a site');

/** A path segment's text; a malformed escape (`%E0`) names no document rather than failing with a 500. */
function decodedSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return '';
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null; // the handler answers malformed JSON with its 400
  }
}

/** A filter (or a list of them, nested in and/or/not) on the `user` dimension. */
function mentionsUser(value: unknown, depth = 0): boolean {
  if (!Array.isArray(value) || depth > 32) return false;
  if (value[1] === 'user') return true;
  return value.some((item) => mentionsUser(item, depth + 1));
}
