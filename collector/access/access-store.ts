import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { SETTING_ID, type SettingDoc, type SettingsStore } from '../../storage/settings/settings-store.ts';
import type { Clock } from '../../storage/types.ts';
import { hashPassword, verifyPassword } from './passwords.ts';
import type { Roles } from './roles.ts';

/** Settings kinds (storage/settings): one document per account, session, API key and public link. */
export const KIND = { account: 'account', session: 'session', key: 'api-key', link: 'link' } as const;

export const SESSION_DAYS = 30;
const DAY = 24 * 60 * 60 * 1000;
/** A session's expiry moves forward at most this often, so a busy session is not rewritten per request. */
const SLIDE_EVERY_MS = 60 * 60 * 1000;
/** An API key's last_used is written at most this often for the same reason. */
const LAST_USED_EVERY_MS = 60 * 1000;

export const ACCOUNT_NAME = /^[A-Za-z0-9][A-Za-z0-9._@+-]{0,63}$/;
export const KEY_PREFIX = 'cfa_k_';

export interface AccountBody {
  password: string;
  roles: Roles;
  created: number;
  last_login: number | null;
  /**
   * Random, replaced on sign-out everywhere and on a new password; a session made under another
   * value (or for an earlier account of the same name) is refused.
   */
  generation: string;
}

export type SessionKind = 'account' | 'token' | 'link';

export interface SessionBody {
  kind: SessionKind;
  /** the account's name and generation (kind account) */
  user?: string;
  generation?: string;
  /** the public link's id and site (kind link) */
  link?: string;
  site?: string;
  /** a fingerprint of the admin token it was exchanged for (kind token): a new token ends those sessions */
  token?: string;
  csrf: string;
  created: number;
  expires: number;
  refreshed: number;
}

export type Scope = 'read' | 'track';
export const KEY_SCOPES: readonly Scope[] = ['read', 'track'];

export interface KeyBody {
  hash: string;
  scopes: Scope[];
  name: string;
  created: number;
  last_used: number | null;
}

export interface LinkBody {
  password: string | null;
  /** ms since the epoch; null: never */
  expires: number | null;
  show_users: boolean;
  created: number;
}

export interface Session {
  /** the settings id: a hash of the cookie's value, which is never stored */
  hash: string;
  site: string | null;
  body: SessionBody;
  /** true when its expiry was just moved forward: the cookie should be sent again */
  slid: boolean;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const random = (bytes: number) => randomBytes(bytes).toString('base64url');

/** Compares two strings in constant time for their common length (hashing makes it equal). */
export function sameSecret(a: string, b: string): boolean {
  return timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());
}

/** The admin token's fingerprint kept in token sessions (a hash: the token itself is never stored). */
export const tokenFingerprint = (token: string) => sha256(`cfa-admin-token\n${token}`).slice(0, 32);

/**
 * Accounts, sessions, API keys and public links over the settings store, for the HTTP routes and
 * the CLI alike. Every check reads the store, so a change made by the CLI or another collector
 * counts on the next request (for ClickHouse within its 1 s cache; a collector's own writes at
 * once). Secrets (session ids, API keys) are kept only as SHA-256 hashes: they are 256-bit random
 * values, so a fast hash is enough; passwords get scrypt (passwords.ts).
 */
export class AccessStore {
  constructor(
    private readonly settings: SettingsStore,
    private readonly clock: Clock,
  ) {}

  /**
   * Any settings document, for routes whose permission depends on the site it belongs to. An id
   * the store could never hold is no document (the handler's 404); a store that cannot be read
   * throws its SettingsError (503 + Retry-After), so a damaged file never reads as "not yours".
   */
  setting(kind: string, id: string): Promise<SettingDoc | null> {
    return SETTING_ID.test(id) ? this.settings.get(kind, id) : Promise.resolve(null);
  }

  // ─── Accounts ────────────────────────────────────────────────────────────────────────────

  accounts(): Promise<SettingDoc<AccountBody>[]> {
    return this.settings.list<AccountBody>(KIND.account);
  }

  account(name: string): Promise<SettingDoc<AccountBody> | null> {
    return ACCOUNT_NAME.test(name)
      ? this.settings.get<AccountBody>(KIND.account, name)
      : Promise.resolve(null);
  }

  async createAccount(name: string, password: string, roles: Roles): Promise<void> {
    const now = this.clock();
    const body: AccountBody = {
      password: await hashPassword(password),
      roles,
      created: now,
      last_login: null,
      generation: random(12),
    };
    await this.settings.put({ kind: KIND.account, id: name, site: null, body });
  }

  /** Changes a password or roles; a new password ends the account's sessions. False: no such account. */
  async updateAccount(name: string, change: { password?: string; roles?: Roles }): Promise<boolean> {
    const hash = change.password === undefined ? undefined : await hashPassword(change.password);
    const doc = await this.account(name);
    if (!doc) return false;
    const body = { ...doc.body };
    if (change.roles) body.roles = change.roles;
    if (hash) {
      body.password = hash;
      body.generation = random(12);
    }
    await this.settings.put({ kind: KIND.account, id: name, site: null, body });
    if (hash) await this.removeSessions((s) => s.kind === 'account' && s.user === name);
    return true;
  }

  async removeAccount(name: string): Promise<boolean> {
    if (!(await this.account(name))) return false;
    await this.settings.remove(KIND.account, name);
    await this.removeSessions((s) => s.kind === 'account' && s.user === name);
    return true;
  }

  /** The account when name and password match; as slow for an unknown name as for a wrong password. */
  async login(name: string, password: string): Promise<SettingDoc<AccountBody> | null> {
    const doc = await this.account(name);
    const ok = await verifyPassword(password, doc?.body.password ?? null);
    if (!ok || !doc) return null;
    // Read again after the slow hash: a sign-out everywhere meanwhile must not be written over.
    const current = await this.account(name);
    if (!current || current.body.password !== doc.body.password) return null;
    await this.settings.put({
      kind: KIND.account,
      id: name,
      site: null,
      body: { ...current.body, last_login: this.clock() },
    });
    return current;
  }

  /** Ends every session of an account at once, also those another collector still has cached. */
  async endSessions(name: string): Promise<void> {
    const doc = await this.account(name);
    if (doc)
      await this.settings.put({
        kind: KIND.account,
        id: name,
        site: null,
        body: { ...doc.body, generation: random(12) },
      });
    await this.removeSessions((s) => s.kind === 'account' && s.user === name);
  }

  // ─── Sessions ────────────────────────────────────────────────────────────────────────────

  /** A new session: the cookie value (returned once, stored only hashed) and its CSRF token. */
  async createSession(
    spec: Pick<SessionBody, 'kind' | 'user' | 'generation' | 'link' | 'site' | 'token'> & {
      expires?: number;
    },
  ): Promise<{ cookie: string; body: SessionBody }> {
    const now = this.clock();
    const cookie = random(32);
    const body: SessionBody = {
      ...spec,
      csrf: random(24),
      created: now,
      expires: Math.min(spec.expires ?? Infinity, now + SESSION_DAYS * DAY),
      refreshed: now,
    };
    await this.pruneSessions(now);
    await this.settings.put({ kind: KIND.session, id: sha256(cookie), site: spec.site ?? null, body });
    return { cookie, body };
  }

  /**
   * The live session a cookie names, or null: unknown, expired, revoked, or what it stands for is
   * gone (the account removed or signed out everywhere, the link revoked or expired, the admin
   * token changed). Sliding: an account or token session used within its 30 days lasts another 30.
   */
  async session(cookie: string, adminToken: string): Promise<Session | null> {
    if (!/^[A-Za-z0-9_-]{43}$/.test(cookie)) return null;
    const hash = sha256(cookie);
    const doc = await this.settings.get<SessionBody>(KIND.session, hash);
    const now = this.clock();
    if (!doc || doc.body.expires <= now) return null;
    const body = doc.body;
    if (body.kind === 'account') {
      const account = await this.account(body.user ?? '');
      if (!account || body.generation !== account.body.generation) return null;
    } else if (body.kind === 'token') {
      if (body.token !== tokenFingerprint(adminToken)) return null;
    } else if (body.kind === 'link') {
      const link = await this.link(body.link ?? '');
      if (!link || link.site !== body.site || (link.body.expires !== null && link.body.expires <= now))
        return null;
    } else return null;
    let slid = false;
    if (body.kind !== 'link' && now - body.refreshed >= SLIDE_EVERY_MS) {
      const next = { ...body, refreshed: now, expires: now + SESSION_DAYS * DAY };
      await this.settings.put({ kind: KIND.session, id: hash, site: doc.site, body: next });
      slid = true;
      return { hash, site: doc.site, body: next, slid };
    }
    return { hash, site: doc.site, body, slid };
  }

  async endSession(hash: string): Promise<void> {
    await this.settings.remove(KIND.session, hash);
  }

  /** Ends every session exchanged for the admin token (sign-out everywhere for the token's owner). */
  async endTokenSessions(): Promise<void> {
    await this.removeSessions((s) => s.kind === 'token');
  }

  private async removeSessions(match: (body: SessionBody) => boolean): Promise<void> {
    for (const doc of await this.settings.list<SessionBody>(KIND.session))
      if (match(doc.body)) await this.settings.remove(KIND.session, doc.id);
  }

  /** Expired sessions are dropped when a new one is made, so the store does not grow with sign-ins. */
  private async pruneSessions(now: number): Promise<void> {
    await this.removeSessions((s) => s.expires <= now);
  }

  // ─── API keys ────────────────────────────────────────────────────────────────────────────

  /** A new key `cfa_k_<id><secret>`, returned once; only its hash is kept. */
  async createKey(site: string, scopes: Scope[], name: string): Promise<{ id: string; key: string }> {
    const id = randomBytes(8).toString('hex');
    const key = `${KEY_PREFIX}${id}${random(32)}`;
    const body: KeyBody = { hash: sha256(key), scopes, name, created: this.clock(), last_used: null };
    await this.settings.put({ kind: KIND.key, id, site, body });
    return { id, key };
  }

  keys(site?: string): Promise<SettingDoc<KeyBody>[]> {
    return this.settings.list<KeyBody>(KIND.key, site);
  }

  key(id: string): Promise<SettingDoc<KeyBody> | null> {
    return /^[0-9a-f]{16}$/.test(id) ? this.settings.get<KeyBody>(KIND.key, id) : Promise.resolve(null);
  }

  revokeKey(id: string): Promise<boolean> {
    return this.settings.remove(KIND.key, id);
  }

  /** The key's document when `key` is a live API key (constant-time on its hash), else null. */
  async verifyKey(key: string): Promise<SettingDoc<KeyBody> | null> {
    if (!key.startsWith(KEY_PREFIX)) return null;
    const doc = await this.key(key.slice(KEY_PREFIX.length, KEY_PREFIX.length + 16));
    if (!doc || doc.site === null || !sameSecret(sha256(key), doc.body.hash)) return null;
    const now = this.clock();
    if (doc.body.last_used === null || now - doc.body.last_used >= LAST_USED_EVERY_MS)
      await this.settings.put({ ...doc, body: { ...doc.body, last_used: now } });
    return doc;
  }

  // ─── Public links ────────────────────────────────────────────────────────────────────────

  /**
   * A new link; its id (136 random bits, URL-safe) is the secret part of `/share/<id>`. It never
   * starts with `-` or `_`, so `cfa link revoke ID` cannot take it for an option.
   */
  async createLink(
    site: string,
    options: { password: string | null; expires: number | null; show_users: boolean },
  ): Promise<{ id: string; body: LinkBody }> {
    let id = random(17);
    while (!/^[A-Za-z0-9]/.test(id)) id = random(17);
    const body: LinkBody = {
      password: options.password === null ? null : await hashPassword(options.password),
      expires: options.expires,
      show_users: options.show_users,
      created: this.clock(),
    };
    await this.settings.put({ kind: KIND.link, id, site, body });
    return { id, body };
  }

  links(site?: string): Promise<SettingDoc<LinkBody>[]> {
    return this.settings.list<LinkBody>(KIND.link, site);
  }

  link(id: string): Promise<SettingDoc<LinkBody> | null> {
    return /^[A-Za-z0-9][A-Za-z0-9_-]{22}$/.test(id)
      ? this.settings.get<LinkBody>(KIND.link, id)
      : Promise.resolve(null);
  }

  /** Revokes a link and ends the sessions opened through it. */
  async revokeLink(id: string): Promise<boolean> {
    const removed = await this.settings.remove(KIND.link, id);
    if (removed) await this.removeSessions((s) => s.kind === 'link' && s.link === id);
    return removed;
  }
}
