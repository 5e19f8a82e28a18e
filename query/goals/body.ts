import { z } from 'zod';
import { QueryError } from '../../shared/query-error.ts';

/**
 * Checks an untrusted body against a schema; the QueryError (a 400) names the first bad field by
 * its path, e.g. `condition.op: expected one of …`.
 */
export function parseBody<T>(schema: z.ZodType<T>, body: unknown): T {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const field = issue.path.length ? issue.path.map(String).join('.') : 'body';
  throw new QueryError(`${field}: ${issue.message}`);
}

// Printable text without control characters: it ends up in the dashboard and in CSV files.
// eslint-disable-next-line no-control-regex
const PRINTABLE = /^[^\u0000-\u001f\u007f]*$/;

/** A trimmed, non-empty line of at most `max` characters. */
export const line = (max: number) =>
  z
    .string()
    .trim()
    .min(1, 'must not be empty')
    .max(max, `at most ${max} characters`)
    .regex(PRINTABLE, 'must not hold control characters');

export const siteName = z
  .string()
  .max(253)
  .regex(/^[a-z0-9.-]+(:\d{1,5})?$/i, 'must be a domain name')
  .transform((s) => s.toLowerCase());
