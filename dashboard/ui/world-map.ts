import { geoNaturalEarth1, geoPath } from 'd3-geo';
import type { Feature, Geometry } from 'geojson';
import { html } from 'htm/preact';
import { useEffect, useState } from 'preact/hooks';
import { feature } from 'topojson-client';
import type { GeometryCollection, Topology } from 'topojson-specification';
import { countryName, formatNumber } from '../lib/format.ts';
import { NUMERIC_TO_ALPHA2, shade } from '../lib/map-shading.ts';
import type { Row } from '../lib/table.ts';

interface Shape {
  code: string;
  d: string;
}

const WIDTH = 960;
const HEIGHT = 470;
let shapes: Promise<Shape[]> | null = null;

/** Country outlines (world-atlas 110m, ~100 KB) fetched once, after the first paint. */
function loadShapes(): Promise<Shape[]> {
  shapes ??= fetch('/admin/analytics/countries-110m.json')
    .then((r) => r.json() as Promise<Topology<{ countries: GeometryCollection }>>)
    .then((topo) => {
      const world = feature(topo, topo.objects.countries) as unknown as { features: Feature<Geometry>[] };
      const projection = geoNaturalEarth1().fitSize([WIDTH, HEIGHT], { type: 'Sphere' });
      const path = geoPath(projection);
      return world.features
        .map((f) => ({ code: NUMERIC_TO_ALPHA2.get(String(f.id)) ?? '', d: path(f) ?? '' }))
        .filter((s) => s.d);
    });
  return shapes;
}

/** Countries shaded by visitors; a click filters the dashboard like a row of the list. */
export function WorldMap({ rows, onPick }: { rows: Row[]; onPick: (code: string) => void }) {
  const [outlines, setOutlines] = useState<Shape[] | null>(null);
  useEffect(() => {
    let live = true;
    loadShapes().then(
      (s) => live && setOutlines(s),
      () => undefined, // offline before the map was ever cached: the list still works
    );
    return () => {
      live = false;
    };
  }, []);
  if (!outlines) return null;
  const visitors = new Map(rows.map((r) => [String(r.key), Number(r.visitors) || 0]));
  const max = Math.max(0, ...visitors.values());
  return html`<svg
    class="map"
    viewBox=${`0 0 ${WIDTH} ${HEIGHT}`}
    role="img"
    aria-label="Visitors by country"
  >
    ${outlines.map((s) => {
      const n = visitors.get(s.code) ?? 0;
      const label = `${countryName(s.code)}: ${formatNumber(n)} visitors`;
      return html`<path
        d=${s.d}
        class=${`m${shade(n, max)}`}
        onClick=${n > 0 ? () => onPick(s.code) : undefined}
        ><title>${label}</title></path
      >`;
    })}
  </svg>`;
}
