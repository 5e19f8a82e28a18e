import { html } from 'htm/preact';
import { useEffect, useState } from 'preact/hooks';
import type { Row } from '../lib/table.ts';

type MapComponent = (props: { rows: Row[]; onPick: (code: string) => void }) => unknown;
let loading: Promise<MapComponent> | null = null;

/**
 * The world map without its weight on the first load: d3-geo and the map code (~12 KB gzipped)
 * arrive as a separate chunk once the numbers are on screen.
 */
export function LazyWorldMap(props: { rows: Row[]; onPick: (code: string) => void }) {
  const [Map, setMap] = useState<MapComponent | null>(null);
  useEffect(() => {
    let live = true;
    loading ??= import('./world-map.ts').then((m) => m.WorldMap as MapComponent);
    loading.then(
      (component) => live && setMap(() => component),
      () => undefined, // offline before the chunk was cached: the country list still works
    );
    return () => {
      live = false;
    };
  }, []);
  return Map ? html`<${Map} ...${props} />` : null;
}
