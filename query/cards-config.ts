import { readFile } from 'node:fs/promises';
import type { MetricCardConfig } from '../shared/api.ts';

/** The seed's CloudFace cards, used when ANALYTICS_METRICS_FILE is not set. */
export const DEFAULT_CARDS: MetricCardConfig[] = [
  {
    id: 'photos_processed',
    label: 'Photos processed',
    kind: 'sum',
    event: 'photo_processed',
    prop: 'processed_count',
  },
  { id: 'links_created', label: 'Links created', kind: 'count', event: 'link_created' },
  { id: 'photos_downloaded', label: 'Photos downloaded', kind: 'count', event: 'photo_downloaded' },
  { id: 'total_shares', label: 'Total shares', kind: 'count', event: 'share' },
  {
    id: 'search_success_rate',
    label: 'Search success rate',
    kind: 'rate',
    event: 'search_performed',
    where: { prop: 'matches_found', op: 'gt', value: 0 },
  },
];

const KINDS = ['count', 'unique_users', 'sum', 'rate'];
const OPS = ['gt', 'gte', 'lt', 'lte', 'is', 'is_not'];

/**
 * Reads and checks a cards file; the error names the file and the bad entry. Without a file the
 * shipped CloudFace cards belong to `defaultSites` (absent: every site).
 */
export async function loadCards(
  path: string | null,
  defaultSites?: readonly string[],
): Promise<MetricCardConfig[]> {
  if (!path)
    return defaultSites ? DEFAULT_CARDS.map((c) => ({ ...c, sites: [...defaultSites] })) : DEFAULT_CARDS;
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw new Error(`ANALYTICS_METRICS_FILE ${path}: ${(error as Error).message}`);
  }
  return parseCards(raw, path);
}

/** Checks a parsed cards list. */
export function parseCards(raw: unknown, where = 'cards'): MetricCardConfig[] {
  if (!Array.isArray(raw)) throw new Error(`${where}: must be a JSON array of cards`);
  return raw.map((c: Record<string, unknown>, i) => {
    const at = `${where}[${i}]`;
    const str = (v: unknown) => typeof v === 'string' && v.length > 0 && v.length <= 200;
    if (!c || typeof c !== 'object') throw new Error(`${at}: must be an object`);
    if (!str(c.id) || !str(c.label) || !str(c.event))
      throw new Error(`${at}: id, label and event are needed`);
    if (!KINDS.includes(c.kind as string)) throw new Error(`${at}.kind must be one of ${KINDS.join(', ')}`);
    if (c.kind === 'sum' && !str(c.prop)) throw new Error(`${at}.prop is needed for a sum`);
    const w = c.where as Record<string, unknown> | undefined;
    if (
      c.kind === 'rate' &&
      (!w || !str(w.prop) || !OPS.includes(w.op as string) || !['string', 'number'].includes(typeof w.value))
    )
      throw new Error(`${at}.where must be {prop, op (${OPS.join('|')}), value} for a rate`);
    if (
      c.sites !== undefined &&
      (!Array.isArray(c.sites) ||
        !c.sites.every((s) => typeof s === 'string' && /^[a-z0-9.-]+(:\d{1,5})?$/.test(s)))
    )
      throw new Error(`${at}.sites must be an array of lower-case domain names`);
    return c as unknown as MetricCardConfig;
  });
}
