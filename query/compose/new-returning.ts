import type { NormalizedQuery } from '../../shared/api.ts';
import type { QueryBackend } from '../backend.ts';

export const NEW_VS_RETURNING_NOTE =
  'Counts identified users only (identify or server-side user_id): new = first record ever inside the range. Anonymous visitors get a new id every day, so they are counted in neither.';

/** New and returning identified users of a range (see "New vs returning" in ../types.ts). */
export async function newVsReturning(
  backend: QueryBackend,
  base: NormalizedQuery,
): Promise<{ new_users: number; returning_users: number; note: string }> {
  if (backend.newVsReturning && base.filters.length === 0)
    return { ...(await backend.newVsReturning(base)), note: NEW_VS_RETURNING_NOTE };
  const identified = {
    ...base,
    dimensions: ['user' as const],
    filters: [...base.filters, ['is_not', 'user', ['']] as never],
  };
  const [active, everFirst] = await Promise.all([
    backend.query({ ...identified, metrics: ['events'] }),
    backend.query({ ...identified, filters: [['is_not', 'user', ['']]], from: 0, metrics: ['first_seen'] }),
  ]);
  const first = new Map(everFirst.map((r) => [r.dimensions[0]!, r.metrics[0]!]));
  let fresh = 0;
  for (const row of active) if ((first.get(row.dimensions[0]!) ?? base.from) >= base.from) fresh++;
  return { new_users: fresh, returning_users: active.length - fresh, note: NEW_VS_RETURNING_NOTE };
}
