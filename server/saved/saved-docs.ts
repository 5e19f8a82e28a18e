import { randomUUID } from 'node:crypto';
import { HTTPException } from 'hono/http-exception';
import type { SavedFunnel, Segment } from '../../shared/api.ts';
import { SETTING_ID, type SettingDoc, type SettingsStore } from '../../storage/settings/settings-store.ts';
import {
  funnelInput,
  parseBody,
  segmentInput,
  type FunnelInput,
  type SegmentInputChecked,
} from './schemas.ts';

/** Settings kinds of the saved analysis (storage/settings). */
export const FUNNEL_KIND = 'funnel';
export const SEGMENT_KIND = 'segment';
/** Per site; a list the dashboard shows whole, and a bound on what one admin can make the store hold. */
export const MAX_FUNNELS_PER_SITE = 50;
export const MAX_SEGMENTS_PER_SITE = 100;

type FunnelBody = Omit<SavedFunnel, 'id' | 'updated'>;
type SegmentBody = Omit<Segment, 'id' | 'updated'>;

function tooMany(what: string, max: number, site: string): HTTPException {
  return new HTTPException(409, { message: `at most ${max} ${what} per site (${site}); delete one first` });
}

function missing(what: string): HTTPException {
  return new HTTPException(404, { message: `no such ${what}` });
}

/** Whether the caller is an admin (or owner) of a site: who may change the team's shared segments. */
export type ManagesSite = (site: string) => boolean;

function notYours(): HTTPException {
  return new HTTPException(403, {
    message: 'a shared segment is changed only by its owner or an admin of its site',
  });
}

const funnelOf = (doc: SettingDoc<FunnelBody>): SavedFunnel => ({
  ...doc.body,
  window_minutes: doc.body.window_minutes ?? null,
  id: doc.id,
  updated: doc.updated,
});

/** Saved funnel definitions, per site, in the settings store (kind `funnel`). */
export class SavedFunnels {
  constructor(private readonly settings: SettingsStore) {}

  async list(site?: string): Promise<SavedFunnel[]> {
    return (await this.settings.list<FunnelBody>(FUNNEL_KIND, site)).map(funnelOf);
  }

  async create(body: unknown): Promise<SavedFunnel> {
    const input = parseBody(funnelInput, body);
    if ((await this.settings.list(FUNNEL_KIND, input.site)).length >= MAX_FUNNELS_PER_SITE)
      throw tooMany('funnels', MAX_FUNNELS_PER_SITE, input.site);
    return this.write(randomUUID(), input);
  }

  async update(id: string, body: unknown): Promise<SavedFunnel> {
    const old = await this.find(id);
    const input = parseBody(funnelInput, body);
    if (
      input.site !== old.site &&
      (await this.settings.list(FUNNEL_KIND, input.site)).length >= MAX_FUNNELS_PER_SITE
    )
      throw tooMany('funnels', MAX_FUNNELS_PER_SITE, input.site);
    return this.write(id, input);
  }

  async remove(id: string): Promise<void> {
    await this.find(id);
    await this.settings.remove(FUNNEL_KIND, id);
  }

  private async find(id: string): Promise<SettingDoc<FunnelBody>> {
    const doc = validId(id) ? await this.settings.get<FunnelBody>(FUNNEL_KIND, id) : null;
    if (!doc) throw missing('funnel');
    return doc;
  }

  private async write(id: string, input: FunnelInput): Promise<SavedFunnel> {
    const body: FunnelBody = {
      site: input.site,
      name: input.name,
      steps: input.steps,
      window_minutes: input.window_minutes ?? null,
    };
    return funnelOf(await this.settings.put({ kind: FUNNEL_KIND, id, site: input.site, body }));
  }
}

const segmentOf = (doc: SettingDoc<SegmentBody>): Segment => ({
  ...doc.body,
  id: doc.id,
  updated: doc.updated,
});

/**
 * Saved segments, per site (kind `segment`): a private one is seen and changed only by its owner;
 * a shared one is seen by everyone who may see the site and changed by its owner or an admin of
 * its site, so a viewer cannot rewrite the filters the team relies on. `who` is the caller (the
 * admin token's holder is `admin`).
 */
export class SavedSegments {
  constructor(private readonly settings: SettingsStore) {}

  async list(who: string, site?: string): Promise<Segment[]> {
    return (await this.settings.list<SegmentBody>(SEGMENT_KIND, site))
      .map(segmentOf)
      .filter((s) => s.shared || s.owner === who);
  }

  async create(who: string, body: unknown): Promise<Segment> {
    const input = parseBody(segmentInput, body);
    if ((await this.settings.list(SEGMENT_KIND, input.site)).length >= MAX_SEGMENTS_PER_SITE)
      throw tooMany('segments', MAX_SEGMENTS_PER_SITE, input.site);
    return this.write(randomUUID(), input, who);
  }

  /** The owner stays the one who saved it; an admin moving a shared one needs both sites. */
  async update(who: string, id: string, body: unknown, manages: ManagesSite): Promise<Segment> {
    const old = await this.find(who, id, manages);
    const input = parseBody(segmentInput, body);
    if (old.body.owner !== who && !manages(input.site)) throw notYours();
    if (
      input.site !== old.site &&
      (await this.settings.list(SEGMENT_KIND, input.site)).length >= MAX_SEGMENTS_PER_SITE
    )
      throw tooMany('segments', MAX_SEGMENTS_PER_SITE, input.site);
    return this.write(id, input, old.body.owner);
  }

  async remove(who: string, id: string, manages: ManagesSite): Promise<void> {
    await this.find(who, id, manages);
    await this.settings.remove(SEGMENT_KIND, id);
  }

  /**
   * The segment `who` may change. Another owner's private segment answers 404 like a missing one
   * (its existence is private too); a shared one the caller sees but may not change is a 403.
   */
  private async find(who: string, id: string, manages: ManagesSite): Promise<SettingDoc<SegmentBody>> {
    const doc = validId(id) ? await this.settings.get<SegmentBody>(SEGMENT_KIND, id) : null;
    if (!doc || (!doc.body.shared && doc.body.owner !== who)) throw missing('segment');
    if (doc.body.owner !== who && !manages(doc.site ?? doc.body.site)) throw notYours();
    return doc;
  }

  private async write(id: string, input: SegmentInputChecked, owner: string): Promise<Segment> {
    const body: SegmentBody = {
      site: input.site,
      name: input.name,
      filters: input.filters,
      owner,
      shared: input.shared ?? false,
    };
    return segmentOf(await this.settings.put({ kind: SEGMENT_KIND, id, site: input.site, body }));
  }
}

/** An id the store would refuse is simply not there: a 404, not a settings error. */
function validId(id: string): boolean {
  return SETTING_ID.test(id);
}
