import { expect, it } from 'vitest';
import { SettingsError, type SettingsStore } from '../../storage/settings/settings-store.ts';

export interface SettingsPair {
  /** two stores over the same storage, as two collectors (or a collector and the CLI) see it */
  a: SettingsStore;
  b: SettingsStore;
  /** lets b see a's writes: b's read cache, if it has one, expires */
  settle(): Promise<void>;
  close(): Promise<void>;
}

/** The behaviour every settings store shares: the file store's unit test and ClickHouse's e2e test run it. */
export function settingsContract(open: () => Promise<SettingsPair>): void {
  const withPair = async (run: (pair: SettingsPair) => Promise<void>) => {
    const pair = await open();
    try {
      await run(pair);
    } finally {
      await pair.close();
    }
  };

  it('creates, lists by kind and site, replaces and removes documents', () =>
    withPair(async ({ a }) => {
      expect(await a.list('goal')).toEqual([]);
      const g1 = await a.put({ kind: 'goal', id: 'g1', site: 'a.example', body: { page: '/signup' } });
      await a.put({ kind: 'goal', id: 'g2', site: 'b.example', body: { action: 'photo_processed' } });
      await a.put({ kind: 'account', id: 'ana', site: null, body: { roles: { 'a.example': 'viewer' } } });
      expect(g1.updated).toBeGreaterThan(0);
      expect((await a.list('goal')).map((d) => d.id)).toEqual(['g1', 'g2']);
      expect(await a.list('goal', 'a.example')).toEqual([g1]);
      expect(await a.get('account', 'ana')).toMatchObject({
        site: null,
        body: { roles: { 'a.example': 'viewer' } },
      });
      await a.put({ kind: 'goal', id: 'g1', site: 'a.example', body: { page: '/welcome' } });
      expect((await a.get('goal', 'g1'))?.body).toEqual({ page: '/welcome' });
      expect(await a.list('goal')).toHaveLength(2);
      expect(await a.remove('goal', 'g1')).toBe(true);
      expect(await a.remove('goal', 'g1')).toBe(false);
      expect(await a.get('goal', 'g1')).toBeNull();
      expect((await a.list('goal')).map((d) => d.id)).toEqual(['g2']);
    }));

  it('names the kinds it holds', () =>
    withPair(async ({ a }) => {
      expect(await a.kinds()).toEqual([]);
      await a.put({ kind: 'segment', id: 's1', site: 'a.example', body: {} });
      await a.put({ kind: 'account', id: 'ana', site: null, body: {} });
      expect(await a.kinds()).toEqual(['account', 'segment']);
    }));

  it("keeps text exactly, with quotes, newlines and non-ASCII, and no kind sees another's ids", () =>
    withPair(async ({ a }) => {
      const body = { name: 'Ünïcode "quoted"\nline', n: 1.5, list: [1, null, 'x'] };
      await a.put({ kind: 'segment', id: 'same', site: 's', body });
      await a.put({ kind: 'annotation', id: 'same', site: 's', body: { note: 'other' } });
      expect((await a.get('segment', 'same'))?.body).toEqual(body);
      expect((await a.get('annotation', 'same'))?.body).toEqual({ note: 'other' });
    }));

  it('shows one store the writes of another over the same storage without a restart', () =>
    withPair(async ({ a, b, settle }) => {
      expect(await b.list('link')).toEqual([]);
      await a.put({ kind: 'link', id: 'l1', site: 'a.example', body: { password: null } });
      await settle();
      expect((await b.list('link')).map((d) => d.id)).toEqual(['l1']);
      await b.remove('link', 'l1');
      await settle();
      expect(await a.get('link', 'l1')).toBeNull();
    }));

  it('loses neither write when two stores write at the same time', () =>
    withPair(async ({ a, b, settle }) => {
      await Promise.all([
        ...Array.from({ length: 10 }, (_, i) => a.put({ kind: 'goal', id: `a${i}`, site: 's', body: i })),
        ...Array.from({ length: 10 }, (_, i) => b.put({ kind: 'goal', id: `b${i}`, site: 's', body: i })),
      ]);
      await settle();
      for (const store of [a, b]) expect(await store.list('goal')).toHaveLength(20);
    }));

  it('refuses kinds and ids that are not short printable names', () =>
    withPair(async ({ a }) => {
      await expect(a.list('Bad Kind')).rejects.toBeInstanceOf(SettingsError);
      await expect(a.put({ kind: 'goal', id: 'has space', site: null, body: 1 })).rejects.toBeInstanceOf(
        SettingsError,
      );
      await expect(a.get('goal', '')).rejects.toBeInstanceOf(SettingsError);
    }));
}
