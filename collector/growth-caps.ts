import { DAY_MS } from '../shared/time.ts';
import type { StoredRecord } from '../storage/schema.ts';

/**
 * Bounds on what one site can add to the index in one UTC day (README, "Growth caps"). Every
 * accepted record stays in memory for the life of the data, and names × prop keys drive the cost
 * of `overall`, so the public endpoint must not be able to grow them without limit.
 */
export interface CapLimits {
  /** distinct sites per day, and ever, while ANALYTICS_SITES is unset */
  sitesPerDay: number;
  sites: number;
  /** distinct action and share names per site and day */
  names: number;
  /** distinct prop keys per name, and per site, per day */
  propKeysPerName: number;
  propKeys: number;
  paths: number;
  /** referrers, and the source names derived from them or from ref= */
  referrers: number;
  /** per UTM field */
  utm: number;
  /** shared and outbound links */
  links: number;
}

export const DEFAULT_CAP_LIMITS: CapLimits = {
  sitesPerDay: 100,
  sites: 1000,
  names: 1000,
  propKeysPerName: 50,
  propKeys: 200,
  paths: 50_000,
  referrers: 10_000,
  utm: 5000,
  links: 10_000,
};

/** What a value past its cap is stored as. */
export const OTHER = '(other)';

/** Why the caps refused a record; counted with the other drop reasons. */
export type CapDrop = 'cap_site' | 'cap_name';

/** Fields whose new values past the cap are stored as OTHER, with the limit that bounds each. */
const REPLACED = {
  path: 'paths',
  referrer: 'referrers',
  source: 'referrers',
  utm_source: 'utm',
  utm_medium: 'utm',
  utm_campaign: 'utm',
  utm_term: 'utm',
  utm_content: 'utm',
  link: 'links',
} as const satisfies Partial<Record<keyof StoredRecord, keyof CapLimits>>;
type ReplacedField = keyof typeof REPLACED;
const REPLACED_FIELDS = Object.keys(REPLACED) as ReplacedField[];

/** The distinct values one site added today. */
class SiteDay {
  readonly names = new Set<string>();
  readonly keys = new Set<string>();
  readonly keysByName = new Map<string, Set<string>>();
  readonly values = Object.fromEntries(REPLACED_FIELDS.map((f) => [f, new Set<string>()])) as Record<
    ReplacedField,
    Set<string>
  >;
}

export interface CapStatus {
  sites_today: number;
  sites_total: number;
  /** records stored with a value replaced by "(other)", per field; prop_key: records that lost keys */
  replaced: Partial<Record<ReplacedField | 'prop_key', number>>;
}

/**
 * Tracks, per site and UTC day (the day of the record's server time), the distinct values the
 * caps bound. A record that would add a site or a name past its cap is refused: an action under
 * a name nobody can query by is no use, and names × keys are what make `overall` expensive. A
 * new prop key past its cap is left out of the record and a new path, referrer, UTM value or
 * link becomes "(other)": the event still counts as a page view or action. The check is one
 * Set lookup per field, and the sets are dropped when the day changes.
 */
export class GrowthCaps {
  private day = -Infinity;
  private readonly today = new Map<string, SiteDay>();
  private readonly everSites = new Set<string>();
  private readonly replaced: CapStatus['replaced'] = {};

  /** `capSites` false: the sites are bounded elsewhere (ANALYTICS_SITES), only per-site caps apply. */
  constructor(
    private readonly limits: CapLimits,
    private readonly capSites: boolean,
  ) {}

  /**
   * Applies the caps to a record about to be stored: returns why it must be dropped, or null
   * after replacing what is past its cap (the record is changed in place) and remembering the rest.
   */
  admit(record: StoredRecord): CapDrop | null {
    this.roll(record.ts);
    let site = this.today.get(record.site);
    if (!site) {
      if (this.capSites && !this.siteFits(record.site)) return 'cap_site';
      site = this.openSite(record.site);
    }
    const named = record.name !== '' && (record.kind === 'action' || record.kind === 'share');
    if (named && !site.names.has(record.name)) {
      if (site.names.size >= this.limits.names) return 'cap_name';
      site.names.add(record.name);
    }
    if (named) this.admitKeys(site, record);
    for (const field of REPLACED_FIELDS) {
      const value = record[field];
      if (value === '') continue;
      const seen = site.values[field];
      if (seen.has(value)) continue;
      if (seen.size < this.limits[REPLACED[field]]) seen.add(value);
      else {
        record[field] = OTHER;
        this.count(field);
      }
    }
    return null;
  }

  /**
   * Remembers a record already stored today (read back at start, so a restart does not reset
   * the caps) without applying any cap to it.
   */
  seed(record: StoredRecord): void {
    if (Math.floor(record.ts / DAY_MS) !== this.day) return;
    const site = this.today.get(record.site) ?? this.openSite(record.site);
    if (record.name) {
      site.names.add(record.name);
      const keys = Object.keys(record.props);
      if (keys.length) this.keysOf(site, record.name, keys);
    }
    for (const field of REPLACED_FIELDS) if (record[field] !== '') site.values[field].add(record[field]);
  }

  /** Remembers a site stored on any day, for the total cap. */
  seedSite(site: string): void {
    this.everSites.add(site);
  }

  /** Moves to the UTC day of `now`, forgetting the previous day's values. */
  roll(now: number): void {
    const day = Math.floor(now / DAY_MS);
    if (day === this.day) return;
    this.day = day;
    this.today.clear();
  }

  status(): CapStatus {
    return { sites_today: this.today.size, sites_total: this.everSites.size, replaced: { ...this.replaced } };
  }

  private siteFits(site: string): boolean {
    if (this.today.size >= this.limits.sitesPerDay) return false;
    return this.everSites.has(site) || this.everSites.size < this.limits.sites;
  }

  private openSite(name: string): SiteDay {
    const site = new SiteDay();
    this.today.set(name, site);
    this.everSites.add(name);
    return site;
  }

  /** Keeps the record's prop keys that fit both key caps; the rest leave the record. */
  private admitKeys(site: SiteDay, record: StoredRecord): void {
    const keys = Object.keys(record.props);
    if (keys.length === 0) return;
    const ofName = this.keysOf(site, record.name, []);
    let refused: string[] | null = null;
    for (const key of keys) {
      if (ofName.has(key)) continue;
      const fits =
        ofName.size < this.limits.propKeysPerName &&
        (site.keys.has(key) || site.keys.size < this.limits.propKeys);
      if (fits) {
        ofName.add(key);
        site.keys.add(key);
      } else (refused ??= []).push(key);
    }
    if (!refused) return;
    const props = { ...record.props };
    for (const key of refused) delete props[key];
    record.props = props;
    this.count('prop_key');
  }

  private keysOf(site: SiteDay, name: string, add: readonly string[]): Set<string> {
    let keys = site.keysByName.get(name);
    if (!keys) site.keysByName.set(name, (keys = new Set()));
    for (const key of add) {
      keys.add(key);
      site.keys.add(key);
    }
    return keys;
  }

  private count(what: ReplacedField | 'prop_key'): void {
    this.replaced[what] = (this.replaced[what] ?? 0) + 1;
  }
}
