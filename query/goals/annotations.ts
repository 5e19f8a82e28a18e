import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { MAX_ANNOTATIONS_PER_SITE, type Annotation, type AnnotationsResponse } from '../../shared/api.ts';
import type { SettingsStore } from '../../storage/settings/settings-store.ts';
import type { Clock } from '../../storage/types.ts';
import { rangeOf } from '../service.ts';
import { siteOf } from '../validate.ts';
import { line, parseBody, siteName } from './body.ts';
import { LimitError } from './limit-error.ts';

const KIND = 'annotation';
const DAY = /^\d{4}-\d{2}-\d{2}$/;
const TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/;
// Dates outside these years are typing mistakes, not notes about traffic.
const EARLIEST = Date.UTC(2000, 0, 1);
const LATEST = Date.UTC(2100, 0, 1);

const annotationBody = z
  .object({
    site: siteName,
    date: z
      .string()
      .refine(
        (d) => DAY.test(d) || TIME.test(d),
        'must be a day "2026-11-27" or an ISO time "2026-11-27T14:30:00Z"',
      )
      .transform((d) => Date.parse(DAY.test(d) ? `${d}T00:00:00Z` : d))
      .refine(
        (t) => Number.isFinite(t) && t >= EARLIEST && t < LATEST,
        'must be a real date from 2000 to 2099',
      ),
    text: line(280),
  })
  .strict();

interface StoredAnnotation {
  at: number;
  text: string;
}

/** Dated notes on a site's chart, in the settings store (kind `annotation`). */
export class Annotations {
  constructor(
    private readonly settings: SettingsStore,
    private readonly clock: Clock,
  ) {}

  /**
   * The notes of `site` (every site's when absent), oldest first; with `days` or `from`/`to` only
   * those inside that range, as the chart of the same range shows them.
   */
  async list(params: Record<string, string | undefined>): Promise<AnnotationsResponse> {
    const site = siteOf(params.site);
    const ranged = params.days !== undefined || params.from !== undefined || params.to !== undefined;
    const range = ranged ? rangeOf(params, this.clock()) : { from: -Infinity, to: Infinity };
    const docs = await this.settings.list<StoredAnnotation>(KIND, site ?? undefined);
    const annotations = docs
      .map((d): Annotation => ({
        id: d.id,
        site: d.site ?? '',
        at: d.body.at,
        date: new Date(d.body.at).toISOString(),
        text: d.body.text,
        updated: d.updated,
      }))
      .filter((a) => a.at >= range.from && a.at < range.to)
      .sort((a, b) => a.at - b.at || a.updated - b.updated);
    return { annotations };
  }

  async create(body: unknown): Promise<Annotation> {
    const input = parseBody(annotationBody, body);
    const existing = await this.settings.list(KIND, input.site);
    if (existing.length >= MAX_ANNOTATIONS_PER_SITE)
      throw new LimitError(`at most ${MAX_ANNOTATIONS_PER_SITE} annotations per site; delete one first`);
    const id = randomUUID();
    const doc = await this.settings.put<StoredAnnotation>({
      kind: KIND,
      id,
      site: input.site,
      body: { at: input.date, text: input.text },
    });
    return {
      id,
      site: input.site,
      at: input.date,
      date: new Date(input.date).toISOString(),
      text: input.text,
      updated: doc.updated,
    };
  }

  remove(id: string): Promise<boolean> {
    return this.settings.remove(KIND, id);
  }
}
