import { z } from 'zod';
import {
  SETTING_ID,
  SETTING_KIND,
  type NewSettingDoc,
  type SettingsStore,
} from '../storage/settings/settings-store.ts';
import { siteOf } from '../query/validate.ts';
import { QueryError } from '../shared/query-error.ts';
import { funnelDoc, segmentDoc } from '../server/saved/schemas.ts';
import {
  FUNNEL_KIND,
  MAX_FUNNELS_PER_SITE,
  MAX_SEGMENTS_PER_SITE,
  SEGMENT_KIND,
} from '../server/saved/saved-docs.ts';
import { UsageError } from './usage-error.ts';

/**
 * Kinds that are people and credentials, not analysis: never exported, refused on import. Every
 * other kind (goals, cards, annotations, funnels, segments, and kinds added later) travels.
 */
export const PRIVATE_KINDS = ['account', 'session', 'api-key', 'link'] as const;
export const BUNDLE_FORMAT = 'cfa-config';
export const BUNDLE_VERSION = 1;

export interface ConfigBundle {
  format: typeof BUNDLE_FORMAT;
  version: typeof BUNDLE_VERSION;
  exported_at: string;
  /** the one site exported, or null for every site */
  site: string | null;
  settings: NewSettingDoc[];
}

/** Body checks of the kinds this version knows; other kinds travel as opaque objects. */
const BODY_CHECKS: Record<string, z.ZodType> = { [FUNNEL_KIND]: funnelDoc, [SEGMENT_KIND]: segmentDoc };
const CAPS: Record<string, number> = {
  [FUNNEL_KIND]: MAX_FUNNELS_PER_SITE,
  [SEGMENT_KIND]: MAX_SEGMENTS_PER_SITE,
};

const isPrivate = (kind: string) => (PRIVATE_KINDS as readonly string[]).includes(kind);

/** Every analysis setting of `site` (null: of every site, and those of no site). */
export async function exportConfig(
  settings: SettingsStore,
  site: string | null,
  now: number,
): Promise<ConfigBundle> {
  const docs: NewSettingDoc[] = [];
  for (const kind of await settings.kinds()) {
    if (isPrivate(kind)) continue;
    for (const doc of await settings.list(kind, site ?? undefined))
      docs.push({ kind: doc.kind, id: doc.id, site: doc.site, body: doc.body });
  }
  return {
    format: BUNDLE_FORMAT,
    version: BUNDLE_VERSION,
    exported_at: new Date(now).toISOString(),
    site,
    settings: docs,
  };
}

const docShape = z
  .object({
    kind: z.string().regex(SETTING_KIND, 'must be a short lowercase name'),
    id: z.string().regex(SETTING_ID, 'must be 1 to 200 printable characters'),
    site: z.string().nullable(),
    body: z.record(z.string(), z.unknown()),
  })
  .strict();

const bundleShape = z
  .object({
    format: z.literal(BUNDLE_FORMAT),
    version: z.literal(BUNDLE_VERSION),
    exported_at: z.string().optional(),
    site: z.string().nullable(),
    settings: z.array(z.unknown()).max(100_000),
  })
  .strict();

/**
 * Checks an export file completely before anything is written; every problem is listed, each
 * naming its entry ("settings[3] (funnel f1): steps[1].value: …").
 */
export function parseBundle(text: string, onlySite: string | null): ConfigBundle {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new UsageError('the file is not valid JSON');
  }
  const head = bundleShape.safeParse(raw);
  if (!head.success) {
    const issue = head.error.issues[0]!;
    throw new UsageError(
      `not a cfa config export: ${issue.path.join('.') || 'file'}: ${issue.message} (expected {"format":"${BUNDLE_FORMAT}","version":${BUNDLE_VERSION},"site":…,"settings":[…]})`,
    );
  }
  const problems: string[] = [];
  const docs: NewSettingDoc[] = [];
  const seen = new Set<string>();
  head.data.settings.forEach((entry, n) => {
    const parsed = docShape.safeParse(entry);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      problems.push(`settings[${n}]: ${issue.path.join('.') || 'entry'}: ${issue.message}`);
      return;
    }
    const doc = parsed.data;
    const where = `settings[${n}] (${doc.kind} ${doc.id})`;
    if (isPrivate(doc.kind)) return problems.push(`${where}: ${doc.kind} settings are never imported`);
    let site: string | null;
    try {
      site = doc.site === null ? null : siteOf(doc.site);
    } catch {
      return problems.push(`${where}: site must be a domain name`);
    }
    if (onlySite !== null && site !== onlySite)
      return problems.push(`${where}: belongs to ${site ?? 'no site'}, not ${onlySite}`);
    if (seen.has(`${doc.kind}\n${doc.id}`)) return problems.push(`${where}: appears twice`);
    seen.add(`${doc.kind}\n${doc.id}`);
    const check = BODY_CHECKS[doc.kind];
    if (check) {
      const body = check.safeParse(doc.body);
      if (!body.success) {
        const issue = body.error.issues[0]!;
        return problems.push(`${where}: ${issue.path.join('.') || 'body'}: ${issue.message}`);
      }
      if ((body.data as { site: string }).site !== site)
        return problems.push(`${where}: body.site differs from the entry's site`);
      doc.body = body.data as Record<string, unknown>;
    }
    docs.push({ kind: doc.kind, id: doc.id, site, body: doc.body });
  });
  if (problems.length > 0)
    throw new UsageError(
      `nothing imported, the file has ${problems.length} problem(s):\n  ${problems.slice(0, 50).join('\n  ')}`,
    );
  return {
    ...head.data,
    exported_at: head.data.exported_at ?? '',
    site: onlySite ?? head.data.site,
    settings: docs,
  };
}

export interface ImportResult {
  written: number;
  removed: number;
}

/**
 * Writes a checked bundle. Merge (the default) adds or replaces the file's documents and keeps
 * the others; `replace` also removes the analysis settings of the bundle's scope (its site, or
 * every site) that the file does not hold. Per-site caps are checked on the outcome first.
 */
export async function importConfig(
  settings: SettingsStore,
  bundle: ConfigBundle,
  options: { replace: boolean },
): Promise<ImportResult> {
  const incoming = new Set(bundle.settings.map((d) => `${d.kind}\n${d.id}`));
  const kinds = new Set([...(await settings.kinds()), ...bundle.settings.map((d) => d.kind)]);
  const doomed: { kind: string; id: string }[] = [];
  for (const kind of kinds) {
    if (isPrivate(kind)) continue;
    const existing = await settings.list(kind, bundle.site ?? undefined);
    const cap = CAPS[kind];
    if (options.replace)
      for (const doc of existing) if (!incoming.has(`${kind}\n${doc.id}`)) doomed.push(doc);
    if (cap === undefined) continue;
    // What each site will hold afterwards: kept documents plus the file's new ones.
    const after = new Map<string, Set<string>>();
    const add = (site: string | null, id: string) =>
      after.set(site ?? '', (after.get(site ?? '') ?? new Set()).add(id));
    const all = bundle.site === null ? existing : await settings.list(kind);
    for (const doc of all) if (!options.replace || incoming.has(`${kind}\n${doc.id}`)) add(doc.site, doc.id);
    for (const doc of bundle.settings) if (doc.kind === kind) add(doc.site, doc.id);
    for (const [site, ids] of after)
      if (ids.size > cap)
        throw new UsageError(
          `nothing imported: ${site || 'no site'} would hold ${ids.size} ${kind}s, at most ${cap}`,
        );
  }
  for (const doc of bundle.settings) await settings.put(doc);
  for (const doc of doomed) await settings.remove(doc.kind, doc.id);
  return { written: bundle.settings.length, removed: doomed.length };
}

/** --site as the CLI gets it: a domain name, or null. */
export function siteOption(raw: unknown): string | null {
  try {
    return siteOf(raw === undefined ? undefined : String(raw));
  } catch (error) {
    if (error instanceof QueryError) throw new UsageError(`--site: ${error.message}`);
    throw error;
  }
}
