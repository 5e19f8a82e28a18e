/** Returns dist/beacon.js's text: a plain script, ES2020, minified. */
export function buildBeacon(): Promise<string>;
