/**
 * Beacons since 2026-12-06 write three things shorter, as every byte counts against the beacon's
 * gzip budget (docs/beacon.md):
 * - a batch is led by the beacon's clock and each `g` is the event's own Date.now(), instead of
 *   every event rewritten with its age: the age is clock − g;
 * - an engagement names its page by path, `v`, on the origin of `u` (which may already be the
 *   next page of a single-page app);
 * - a navigator.share call is a share with an outcome `o` and no name: channel 'native'.
 * This turns them back into the long form older beacons send (and still may: cached copies live
 * on), so the validator and everything after it see one form. Anything malformed is left for the
 * validator to refuse with a message naming the field.
 */
export function expandShortForms(raw: unknown): unknown[] {
  if (!Array.isArray(raw)) return [expandEvent(raw, undefined)];
  // A leading number is the clock; only an integer one is, so a stray float still gets refused.
  const clock = Number.isSafeInteger(raw[0]) ? (raw[0] as number) : undefined;
  return (clock === undefined ? raw : raw.slice(1)).map((event) => expandEvent(event, clock));
}

function expandEvent(raw: unknown, clock: number | undefined): unknown {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return raw;
  const event: Record<string, unknown> = { ...raw };
  // A time after the clock gives a negative age, which the validator refuses.
  if (clock !== undefined && typeof event.g === 'number') event.g = clock - event.g;
  // Only a path: anything else after the origin (".evil.org/") could change the host.
  if (
    typeof event.v === 'string' &&
    event.v.startsWith('/') &&
    typeof event.u === 'string' &&
    URL.canParse(event.u)
  ) {
    event.u = new URL(event.u).origin + event.v;
    delete event.v;
  }
  if (event.k === 's' && event.n === undefined && event.o !== undefined) event.n = 'native';
  return event;
}
