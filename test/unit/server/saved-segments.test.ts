import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileSettingsStore } from '../../../storage/settings/file-settings-store.ts';
import { SavedSegments } from '../../../server/saved/saved-docs.ts';
import { QueryError } from '../../../shared/query-error.ts';
import { tempDir } from '../../support/helpers.ts';

let dir: { dir: string; cleanup: () => Promise<void> };
let settings: FileSettingsStore;
let segments: SavedSegments;
beforeEach(async () => {
  dir = await tempDir();
  settings = new FileSettingsStore(dir.dir);
  segments = new SavedSegments(settings);
});
afterEach(async () => {
  await settings.close();
  await dir.cleanup();
});

const body = (name: string, shared?: boolean) => ({
  site: 'a.test',
  name,
  filters: [['is', 'country', ['DE']]],
  ...(shared === undefined ? {} : { shared }),
});

const viewer = () => false;
const adminOf = (site: string) => (asked: string) => asked === site;

describe('saved segments per owner', () => {
  it('show a private segment to its owner only, and a shared one to the whole team', async () => {
    await segments.create('ana', body('mine'));
    await segments.create('ana', body('team', true));
    expect((await segments.list('ana', 'a.test')).map((s) => s.name)).toEqual(['mine', 'team']);
    expect((await segments.list('bo', 'a.test')).map((s) => s.name)).toEqual(['team']);
  });

  it('let only its owner change a private segment, not even an admin of its site', async () => {
    const mine = await segments.create('ana', body('mine'));
    // someone else's private segment is as missing as a deleted one
    for (const manages of [viewer, adminOf('a.test')]) {
      await expect(segments.update('bo', mine.id, body('taken'), manages)).rejects.toThrow(/no such segment/);
      await expect(segments.remove('bo', mine.id, manages)).rejects.toThrow(/no such segment/);
    }
    expect(await segments.update('ana', mine.id, body('still mine'), viewer)).toMatchObject({
      owner: 'ana',
      name: 'still mine',
    });
  });

  it('let its owner or an admin of its site change a shared segment, and refuse a viewer with 403', async () => {
    const team = await segments.create('ana', body('team', true));
    const refused = segments.update('bo', team.id, body('rewritten', true), viewer);
    await expect(refused).rejects.toThrow(/changed only by its owner or an admin of its site/);
    await expect(refused).rejects.toMatchObject({ status: 403 });
    await expect(segments.remove('bo', team.id, adminOf('b.test'))).rejects.toMatchObject({ status: 403 });
    // An admin of a.test cannot move it to a site they do not manage.
    await expect(
      segments.update('bo', team.id, { ...body('moved', true), site: 'b.test' }, adminOf('a.test')),
    ).rejects.toMatchObject({ status: 403 });
    expect((await segments.list('ana', 'a.test')).map((s) => s.name)).toEqual(['team']);

    expect(await segments.update('bo', team.id, body('team 2', true), adminOf('a.test'))).toMatchObject({
      owner: 'ana',
      name: 'team 2',
    });
    expect(await segments.update('ana', team.id, body('team 3', true), viewer)).toMatchObject({
      name: 'team 3',
    });
    await segments.remove('bo', team.id, adminOf('a.test'));
    expect(await segments.list('ana', 'a.test')).toEqual([]);
  });

  it('check the body before it is stored', async () => {
    await expect(segments.create('ana', { ...body('x'), filters: [['is', 'country', []]] })).rejects.toThrow(
      QueryError,
    );
    expect(await settings.list('segment')).toEqual([]);
  });
});
