import { z } from 'zod';
import { hasControlChar } from '../../shared/control-chars.ts';
import type { Filter } from '../../shared/api.ts';
import { QueryError } from '../../shared/query-error.ts';
import { normalizeFilters, siteOf } from '../../query/validate.ts';

// Names and step values are shown in the dashboard and written to export files: printable text.
const text = (max: number) =>
  z
    .string()
    .min(1)
    .max(max)
    .refine((s) => !hasControlChar(s), 'must not contain control characters');

const site = z.string().transform((s, ctx) => {
  try {
    const checked = siteOf(s);
    if (checked) return checked;
  } catch {
    // reported below
  }
  ctx.addIssue({ code: 'custom', message: 'must be a domain name' });
  return z.NEVER;
});

const step = z.discriminatedUnion('type', [
  z.object({ type: z.literal('page'), value: text(300), label: text(200).optional() }).strict(),
  z.object({ type: z.literal('action'), value: text(300), label: text(200).optional() }).strict(),
  z.object({ type: z.literal('share'), value: text(300).optional(), label: text(200).optional() }).strict(),
]);

export const MAX_FUNNEL_STEPS = 8;

export const funnelInput = z
  .object({
    site,
    name: text(100),
    steps: z.array(step).min(2).max(MAX_FUNNEL_STEPS),
    // A year at most, as the funnel endpoint's window_minutes.
    window_minutes: z.number().int().min(1).max(525_600).nullable().optional(),
  })
  .strict();

// The query language's own checks (operators, dimensions, regex subset, caps) apply to a
// segment's filters; zod only checks the envelope.
const filters = z
  .array(z.unknown())
  .min(1)
  .max(50)
  .transform((raw, ctx): Filter[] => {
    try {
      return normalizeFilters(raw, 'filters');
    } catch (error) {
      if (!(error instanceof QueryError)) throw error;
      ctx.addIssue({ code: 'custom', message: error.message.replace(/^filters(\[\d+\])?:? ?/, '') });
      return z.NEVER;
    }
  });

export const segmentInput = z
  .object({ site, name: text(100), filters, shared: z.boolean().optional() })
  .strict();

/** A stored funnel's body (settings kind `funnel`), as an export file holds it. */
export const funnelDoc = funnelInput.extend({
  window_minutes: z.number().int().min(1).max(525_600).nullable(),
});
/** A stored segment's body (settings kind `segment`): the input plus its owner. */
export const segmentDoc = segmentInput.extend({ owner: text(200), shared: z.boolean() });

export type FunnelInput = z.infer<typeof funnelInput>;
export type SegmentInputChecked = z.infer<typeof segmentInput>;

/** Parses an untrusted body; a failure is a 400 naming the first bad field ("steps[1].value: …"). */
export function parseBody<T>(schema: z.ZodType<T>, body: unknown, prefix = ''): T {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const path = issue.path.reduce<string>(
    (out, part) =>
      typeof part === 'number' ? `${out}[${part}]` : out ? `${out}.${String(part)}` : String(part),
    prefix,
  );
  const message =
    issue.code === 'unrecognized_keys'
      ? `unknown field ${issue.keys.map((k) => JSON.stringify(k)).join(', ')}`
      : issue.message;
  throw new QueryError(`${path || 'body'}: ${message}`);
}
