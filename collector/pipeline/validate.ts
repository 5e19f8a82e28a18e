import { z } from 'zod';
import { WIRE_KIND, WIRE_LIMITS, type WireEvent } from '../../shared/wire.ts';
import { expandClick } from './click.ts';
import { expandShortForms } from './short-forms.ts';
import { SITE_NAME } from './site-name.ts';
import { hasControlChar } from '../../shared/control-chars.ts';

/** Keys that would reach Object.prototype if copied naively; never accepted as prop names. */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

// Control characters (C0, DEL, C1) have no place in names or ids and make logs and CSV unsafe.
const text = (max: number) =>
  z
    .string()
    .max(max)
    .refine((s) => !hasControlChar(s), 'must not contain control characters');

const scalar = z.union([z.string().max(WIRE_LIMITS.maxPropValue), z.number().finite(), z.boolean()]);

const props = z
  .record(z.string().min(1).max(WIRE_LIMITS.maxPropKey), scalar)
  .refine((p) => Object.keys(p).length <= WIRE_LIMITS.maxProps, `at most ${WIRE_LIMITS.maxProps} props`);

const httpUrl = text(WIRE_LIMITS.maxUrl).refine(
  (s) => /^https?:\/\//i.test(s) && URL.canParse(s),
  'must be an http(s) URL',
);

const wireEvent = z
  .object({
    // A click ('c') has been expanded before this: one still here had no data attributes.
    k: z.enum(Object.values(WIRE_KIND).filter((k) => k !== 'c') as [WireEvent['k'], ...WireEvent['k'][]]),
    s: z.string().min(1).max(WIRE_LIMITS.maxSite).regex(SITE_NAME, 'must be a domain name').optional(),
    u: httpUrl,
    r: z.string().max(WIRE_LIMITS.maxUrl).optional(),
    n: text(WIRE_LIMITS.maxName).min(1).optional(),
    p: props.optional(),
    // A tab left visible for days sends one huge increment: capped, not refused.
    d: z
      .number()
      .int()
      .min(0)
      .transform((ms) => Math.min(ms, WIRE_LIMITS.maxAgeMs))
      .optional(),
    // The beacon leaves capping to us: a body shorter than the viewport reads as more than 100 %.
    x: z
      .number()
      .min(0)
      .transform((x) => Math.min(x, 100))
      .optional(),
    // identify(null) sends null and a numeric id a number; both are normal beacon input.
    i: z
      .union([text(WIRE_LIMITS.maxUserId), z.number().finite(), z.null()])
      .transform((id) => (id === null ? undefined : String(id)))
      .optional(),
    // Share intent links can be long (a prefilled message); the part that matters comes first.
    l: z
      .string()
      .transform((link) => link.slice(0, WIRE_LIMITS.maxUrl))
      .optional(),
    c: z.number().int().min(0).max(1_000_000).optional(),
    o: z.union([z.literal(0), z.literal(1)]).optional(),
    g: z.number().int().min(0).optional(),
    // An engagement's path, turned into `u` by expandShortForms; one still here was no path.
    v: z.never({ error: 'must be a path starting with /' }).optional(),
    // The tag's data-hash value (usually ''); beacons before 2026-11-27 sent 1.
    h: z.union([z.literal(1), z.string().max(100)]).optional(),
  })
  .refine((e) => (e.k !== 'a' && e.k !== 's') || e.n !== undefined, {
    message: 'actions and shares need a name (n)',
    path: ['n'],
  })
  .refine((e) => e.k !== 'l' || !!e.l, { message: 'link clicks need a link (l)', path: ['l'] })
  // Without data-site the beacon leaves the site out: it is the page's host. A host that is no
  // site name (an IPv6 literal, `_x.com`) is not refused here but dropped and counted in ingest.
  .transform((e) => ({ ...e, s: e.s ?? new URL(e.u).hostname }));

/** A validated event: the site is always known and the user id, if any, is a string. */
export type ValidEvent = Omit<WireEvent, 's' | 'i'> & { s: string; i?: string };

export type ParsedBody = { ok: true; events: ValidEvent[] } | { ok: false; error: string };

/**
 * Turns a request body into validated wire events. Everything is checked before anything is
 * stored, so one bad event rejects its whole request with a message naming the field: our own
 * beacon never sends one, so a 400 points at a bug or a forgery, not at data to salvage.
 */
export function parseEventBody(body: string): ParsedBody {
  let raw: unknown;
  try {
    raw = JSON.parse(body);
  } catch {
    return { ok: false, error: 'body is not valid JSON' };
  }
  const list = expandShortForms(raw);
  if (list.length === 0) return { ok: false, error: 'empty batch' };
  if (list.length > WIRE_LIMITS.maxBatch)
    return { ok: false, error: `batch of ${list.length} events exceeds ${WIRE_LIMITS.maxBatch}` };
  const events: ValidEvent[] = [];
  for (let index = 0; index < list.length; index++) {
    const item: unknown = expandClick(list[index]);
    if (item && typeof item === 'object' && hasForbiddenKey(item)) {
      return { ok: false, error: `${where(list, index)}: forbidden property name` };
    }
    const result = wireEvent.safeParse(item);
    if (!result.success) {
      const issue = result.error.issues[0]!;
      const field = issue.path.length ? issue.path.join('.') : 'event';
      return { ok: false, error: `${where(list, index)}${field}: ${issue.message}` };
    }
    events.push(result.data as ValidEvent);
  }
  return { ok: true, events };
}

function where(list: unknown[], index: number): string {
  return list.length > 1 ? `event[${index}].` : '';
}

function hasForbiddenKey(value: object): boolean {
  const props = (value as { p?: unknown }).p;
  if (!props || typeof props !== 'object') return false;
  return Object.keys(props).some((key) => FORBIDDEN_KEYS.has(key));
}
