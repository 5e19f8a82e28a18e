import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import {
  GOAL_CONDITION_OPS,
  MAX_GOALS_PER_SITE,
  type Filter,
  type Goal,
  type GoalDefinition,
  type GoalInput,
  type GoalsResponse,
} from '../../shared/api.ts';
import type { SettingsStore } from '../../storage/settings/settings-store.ts';
import type { Clock } from '../../storage/types.ts';
import type { QueryBackend } from '../backend.ts';
import type { QueryBudget } from '../budget.ts';
import { baseQuery, totals } from '../compose/query.ts';
import { filtersParam, siteOf } from '../validate.ts';
import { rangeOf } from '../service.ts';
import { line, parseBody, siteName } from './body.ts';
import { goalFilter } from './goal-filter.ts';
import { LimitError } from './limit-error.ts';
import { QueryError } from '../../shared/query-error.ts';

const KIND = 'goal';
const PARALLEL = 8;

const page = z
  .string()
  .min(1, 'must not be empty')
  .max(500, 'at most 500 characters')
  .regex(/^[/*]/, 'must start with / or *')
  // eslint-disable-next-line no-control-regex
  .regex(/^[^\u0000-\u001f\u007f]*$/, 'must not hold control characters')
  .refine((p) => p.split('*').length <= 11, 'at most 10 wildcards');

const goalBody = z.discriminatedUnion('type', [
  z.object({ site: siteName, name: line(100), type: z.literal('page'), page }).strict(),
  z
    .object({
      site: siteName,
      name: line(100),
      type: z.literal('action'),
      action: line(200),
      condition: z
        .object({
          prop: line(200),
          op: z.enum(GOAL_CONDITION_OPS),
          value: z.union([z.string().max(200), z.number().finite()]),
        })
        .strict()
        .refine((c) => !['gt', 'gte', 'lt', 'lte'].includes(c.op) || Number.isFinite(Number(c.value)), {
          message: 'a numeric comparison needs a number',
          path: ['value'],
        })
        .optional(),
    })
    .strict(),
  z
    .object({ site: siteName, name: line(100), type: z.literal('share'), channel: line(100).optional() })
    .strict(),
]);

interface StoredGoal {
  name: string;
  definition: GoalDefinition;
}

export interface GoalsDeps {
  settings: SettingsStore;
  backend: QueryBackend;
  clock: Clock;
  budget?: QueryBudget;
}

/**
 * Goals per site in the settings store (kind `goal`), and their figures. A goal is a filter of
 * the general query (goal-filter.ts), so both backends count it with the queries they already run.
 */
export class Goals {
  constructor(private readonly deps: GoalsDeps) {}

  /** The goals of `site` (every site's when absent), each with its figures over the range and filters. */
  async report(params: Record<string, string | undefined>): Promise<GoalsResponse> {
    const site = siteOf(params.site);
    const range = rangeOf(params, this.deps.clock());
    const filters = filtersParam(params.filters);
    const goals = await this.list(site);
    this.deps.budget?.restart();
    const { backend } = this.deps;
    const count = (goalSite: string, extra: Filter[]) =>
      totals(backend, {
        ...baseQuery(goalSite, range.from, range.to),
        filters: [...filters, ...extra],
        metrics: ['visitors'],
      }).then((t) => t.visitors);
    // Each goal counts over its own site: visitors once per site, conversions once per goal.
    const visitorsOf = new Map<string, Promise<number>>();
    for (const goal of goals) if (!visitorsOf.has(goal.site)) visitorsOf.set(goal.site, count(goal.site, []));
    const figure = async (goal: Goal) => {
      const [visitors, conversions] = await Promise.all([
        visitorsOf.get(goal.site)!,
        count(goal.site, [goal.filter]),
      ]);
      const conversion_rate = visitors ? Math.round((10_000 * conversions) / visitors) / 100 : 0;
      return { ...goal, visitors, conversions, conversion_rate };
    };
    // A few at a time: 100 goals at once would be 100 concurrent ClickHouse queries, its default cap.
    const figured: GoalsResponse['goals'] = [];
    for (let i = 0; i < goals.length; i += PARALLEL)
      figured.push(...(await Promise.all(goals.slice(i, i + PARALLEL).map(figure))));
    return { goals: figured, query: { site, ...range, filters } };
  }

  async list(site: string | null): Promise<Goal[]> {
    const docs = await this.deps.settings.list<StoredGoal>(KIND, site ?? undefined);
    // By site, then name: the order an admin looks for them in, whatever order they were written.
    return docs
      .map((doc) => toGoal(doc.id, doc.site ?? '', doc.body, doc.updated))
      .sort(
        (a, b) => cmp(a.site, b.site) || cmp(a.name.toLowerCase(), b.name.toLowerCase()) || cmp(a.id, b.id),
      );
  }

  async create(body: unknown): Promise<Goal> {
    const input = parseBody(goalBody, body) as GoalInput;
    const existing = await this.deps.settings.list(KIND, input.site);
    if (existing.length >= MAX_GOALS_PER_SITE)
      throw new LimitError(`at most ${MAX_GOALS_PER_SITE} goals per site; delete one first`);
    return this.save(randomUUID(), input);
  }

  /** null when there is no such goal. */
  async update(id: string, body: unknown): Promise<Goal | null> {
    const input = parseBody(goalBody, body) as GoalInput;
    const doc = await this.deps.settings.get<StoredGoal>(KIND, id);
    if (!doc) return null;
    if (doc.site !== input.site)
      throw new QueryError(`site: the goal belongs to ${doc.site}; it cannot move`);
    return this.save(id, input);
  }

  remove(id: string): Promise<boolean> {
    return this.deps.settings.remove(KIND, id);
  }

  private async save(id: string, input: GoalInput): Promise<Goal> {
    const { site, name, ...definition } = input;
    const doc = await this.deps.settings.put<StoredGoal>({
      kind: KIND,
      id,
      site,
      body: { name, definition: definition as GoalDefinition },
    });
    return toGoal(id, site, doc.body, doc.updated);
  }
}

function toGoal(id: string, site: string, body: StoredGoal, updated: number): Goal {
  return {
    id,
    site,
    name: body.name,
    definition: body.definition,
    filter: goalFilter(body.definition),
    updated,
  };
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
