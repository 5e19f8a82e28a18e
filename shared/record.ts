/**
 * The record kinds and prop values that the store (storage/schema.ts), the query API
 * (shared/api.ts) and the dashboard all speak of, here so that none of them reaches into a
 * folder after its own for them.
 */

export const RECORD_KINDS = ['pageview', 'engagement', 'action', 'share'] as const;
export type RecordKind = (typeof RECORD_KINDS)[number];

export type PropValue = string | number | boolean;
