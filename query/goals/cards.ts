import { z } from 'zod';
import { cardApplies, MAX_CARDS, type CardsResponse, type MetricCardConfig } from '../../shared/api.ts';
import type { SettingsStore } from '../../storage/settings/settings-store.ts';
import { line, parseBody, siteName } from './body.ts';

const KIND = 'cards';
const DEFAULT_ID = 'default';
const idOf = (site: string | null) => (site === null ? DEFAULT_ID : `site:${site}`);

const value = z.union([z.string().max(200), z.number().finite()]);
const card = z
  .object({
    id: z
      .string()
      .min(1)
      .max(64)
      .regex(/^[A-Za-z0-9_.-]+$/, 'letters, digits, _ . - only'),
    label: line(100),
    kind: z.enum(['count', 'unique_users', 'sum', 'rate']),
    event: line(200),
    prop: line(200).optional(),
    where: z
      .object({ prop: line(200), op: z.enum(['gt', 'gte', 'lt', 'lte', 'is', 'is_not']), value })
      .strict()
      .optional(),
    sites: z.array(siteName).max(100).optional(),
  })
  .strict()
  .refine((c) => c.kind !== 'sum' || c.prop !== undefined, { message: 'a sum needs prop', path: ['prop'] })
  .refine((c) => c.kind !== 'rate' || c.where !== undefined, {
    message: 'a rate needs where {prop, op, value}',
    path: ['where'],
  });

const cardsBody = z
  .object({ cards: z.array(card).max(MAX_CARDS, `at most ${MAX_CARDS} cards`) })
  .strict()
  .refine((b) => new Set(b.cards.map((c) => c.id)).size === b.cards.length, {
    message: 'card ids must be unique',
    path: ['cards'],
  });

/**
 * Metric cards an admin edits at run time, in the settings store (kind `cards`): one set per site
 * (id `site:<name>`) and a default set (id `default`). The initial set (ANALYTICS_METRICS_FILE or
 * the shipped cards) answers until a set is saved, so the file still works as the starting point.
 */
export class CardSettings {
  constructor(
    private readonly settings: SettingsStore,
    private readonly initial: readonly MetricCardConfig[],
  ) {}

  /** The cards a view of `site` (null: all sites) shows, for the query service. */
  forView = async (site: string | null): Promise<MetricCardConfig[]> => (await this.get(site)).cards;

  async get(site: string | null): Promise<CardsResponse> {
    if (site !== null) {
      const own = await this.settings.get<MetricCardConfig[]>(KIND, idOf(site));
      if (own) return { site, cards: own.body, source: 'site' };
    }
    const shared = await this.settings.get<MetricCardConfig[]>(KIND, DEFAULT_ID);
    if (shared) return { site, cards: shared.body.filter((c) => cardApplies(c, site)), source: 'default' };
    return { site, cards: this.initial.filter((c) => cardApplies(c, site)), source: 'initial' };
  }

  /** Saves the set of `site` (null: the default set) and answers what the view now shows. */
  async put(site: string | null, body: unknown): Promise<CardsResponse> {
    const { cards } = parseBody(cardsBody, body);
    // A site's own set is that site's: a `sites` list on its cards would only hide them.
    const stored = site === null ? cards : cards.map(({ sites: _sites, ...rest }) => rest);
    await this.settings.put({ kind: KIND, id: idOf(site), site, body: stored as MetricCardConfig[] });
    return this.get(site);
  }

  /** Drops the saved set of `site` (null: the default set); true when there was one. */
  remove(site: string | null): Promise<boolean> {
    return this.settings.remove(KIND, idOf(site));
  }
}
