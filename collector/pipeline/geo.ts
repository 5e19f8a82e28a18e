import geoip from 'geoip-lite';

export interface Location {
  /** ISO 3166-1 alpha-2; '' when unknown */
  country: string;
  region: string;
  city: string;
}

export type Geolocate = (ip: string) => Location;

const UNKNOWN: Location = { country: '', region: '', city: '' };

/**
 * Looks an IP up in geoip-lite's bundled GeoLite2 data (in memory, ~2 µs a lookup). Private and
 * loopback addresses have no location. IPv4-mapped IPv6 (::ffff:1.2.3.4, what Node reports on a
 * dual-stack socket) is unwrapped first.
 */
export const geolocate: Geolocate = (ip) => {
  const address = ip.startsWith('::ffff:') ? ip.slice(7) : ip;
  const hit = address ? geoip.lookup(address) : null;
  if (!hit) return UNKNOWN;
  return { country: hit.country ?? '', region: hit.region ?? '', city: hit.city ?? '' };
};
