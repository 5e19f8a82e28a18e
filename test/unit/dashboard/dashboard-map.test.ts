import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { NUMERIC_TO_ALPHA2, shade } from '../../../dashboard/lib/map-shading.ts';

describe('dashboard world map', () => {
  it('joins world-atlas ids (zero-padded ISO numeric) to the ISO alpha-2 codes the API reports', async () => {
    expect(NUMERIC_TO_ALPHA2.get('250')).toBe('FR');
    expect(NUMERIC_TO_ALPHA2.get('032')).toBe('AR');
    expect(NUMERIC_TO_ALPHA2.get('840')).toBe('US');
    const atlas = JSON.parse(await readFile('node_modules/world-atlas/countries-110m.json', 'utf8')) as {
      objects: { countries: { geometries: { id?: string }[] } };
    };
    const ids = atlas.objects.countries.geometries.map((g) => g.id).filter((id): id is string => !!id);
    // Every shape with an ISO id can be shaded (Kosovo and N. Cyprus have none in the atlas).
    expect(ids.filter((id) => !NUMERIC_TO_ALPHA2.has(id))).toEqual([]);
  });

  it('shades 0 for no visitors and 1–5 on a square-root scale up to the busiest country', () => {
    expect(shade(0, 100)).toBe(0);
    expect(shade(5, 0)).toBe(0);
    expect(shade(100, 100)).toBe(5);
    expect(shade(1, 100)).toBe(1);
    expect(shade(25, 100)).toBe(3);
    expect(shade(64, 100)).toBe(4);
  });
});
