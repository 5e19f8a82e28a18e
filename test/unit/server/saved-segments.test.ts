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

describe('saved segments per owner', () => {
  it('show a private segment to its owner only, and a shared one to the whole team', async () => {
    const mine = await segments.create('ana', body('mine'));
    const team = await segments.create('ana', body('team', true));
    expect((await segments.list('ana', 'a.test')).map((s) => s.name)).toEqual(['mine', 'team']);
    expect((await segments.list('bo', 'a.test')).map((s) => s.name)).toEqual(['team']);
    // someone else's private segment is as missing as a deleted one
    await expect(segments.update('bo', mine.id, body('taken'))).rejects.toThrow(/no such segment/);
    await expect(segments.remove('bo', mine.id)).rejects.toThrow(/no such segment/);
    // a shared one can be changed by the team, and stays its owner's
    expect(await segments.update('bo', team.id, body('team 2', true))).toMatchObject({
      owner: 'ana',
      name: 'team 2',
    });
  });

  it('check the body before it is stored', async () => {
    await expect(segments.create('ana', { ...body('x'), filters: [['is', 'country', []]] })).rejects.toThrow(
      QueryError,
    );
    expect(await settings.list('segment')).toEqual([]);
  });
});
