import { Hono, type Context } from 'hono';
import { secureHeaders } from 'hono/secure-headers';
import { readdir } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { loadAsset, type Asset } from '../assets.ts';

/**
 * Admin pages show strings that visitors control (paths, referrers, UTM values), so they are the
 * classic stored-XSS target: no inline script or style anywhere, scripts only from our origin,
 * and the page can never be framed (clickjacking the admin).
 */
const DASHBOARD_CSP = {
  defaultSrc: ["'none'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'"],
  imgSrc: ["'self'", 'data:'],
  connectSrc: ["'self'"],
  manifestSrc: ["'self'"],
  workerSrc: ["'self'"],
  baseUri: ["'none'"],
  formAction: ["'none'"],
  frameAncestors: ["'none'"],
};

// Only these headers, as before hono/secure-headers: its other defaults (HSTS among them) are the
// deployment's proxy's call, not the dashboard's.
const adminHeaders = secureHeaders({
  contentSecurityPolicy: DASHBOARD_CSP,
  xContentTypeOptions: true,
  xFrameOptions: 'DENY',
  referrerPolicy: true,
  crossOriginOpenerPolicy: true,
  crossOriginResourcePolicy: false,
  originAgentCluster: false,
  strictTransportSecurity: false,
  xDnsPrefetchControl: false,
  xDownloadOptions: false,
  xPermittedCrossDomainPolicies: false,
  xXssProtection: false,
  removePoweredBy: false,
});

const BASE = '/admin/analytics';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'application/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.webmanifest': 'application/manifest+json',
};

/**
 * Reads every built dashboard file once; the set of servable names is fixed at start. Source maps
 * (.map) are not among them: the page is public, and they would give out the source.
 */
async function loadDashboard(dir: string): Promise<Map<string, Asset>> {
  const files = new Map<string, Asset>();
  const names = await readdir(dir).catch(() => [] as string[]);
  for (const name of names) {
    const type = TYPES[extname(name)];
    if (type) files.set(name, await loadAsset(join(dir, name), type));
  }
  return files;
}

function send(c: Context, asset: Asset | undefined): Response {
  if (!asset) {
    c.header('Cache-Control', 'no-store');
    return c.text('dashboard not built: run "npm run build"', 404);
  }
  // Names are not content-hashed, so every load revalidates; a 304 costs one round trip.
  c.header('Cache-Control', 'no-cache');
  c.header('ETag', asset.etag);
  if (c.req.header('if-none-match') === asset.etag) return c.body(null, 304);
  c.header('Content-Type', asset.contentType);
  return c.body(asset.body);
}

/**
 * The admin single-page app under /admin/analytics: index.html for the page itself (all view
 * state lives in the query string and the token in the fragment, so one route serves every
 * view) and the built files beside it. The app reads data only from the token-protected API.
 */
export async function dashboardRoutes(
  distDir: string,
  options: {
    /** where the admin token comes from, so the login form points at the right place */
    tokenFrom?: 'env' | 'file';
  } = {},
): Promise<Hono> {
  const files = await loadDashboard(distDir);
  const app = new Hono();
  app.use(`${BASE}/*`, adminHeaders);
  // Public, like the login form it serves: says only where to find the token, never the token.
  app.get(`${BASE}/login-hint`, (c) => {
    c.header('Cache-Control', 'no-store');
    return c.json({ token_from: options.tokenFrom ?? 'file' });
  });
  app.get(BASE, (c) => send(c, files.get('index.html')));
  app.get(`${BASE}/`, (c) => send(c, files.get('index.html')));
  // A public link (/api/admin/links): the same page, which sees the path and asks /api/auth/link
  // for a session scoped to the link's site. The id is the secret: no-referrer keeps it in the tab.
  app.use('/share/*', adminHeaders);
  app.get('/share/:id', (c) => send(c, files.get('index.html')));
  app.get(`${BASE}/:name`, (c) => {
    const name = c.req.param('name');
    // The worker sits under /admin/analytics/ but must control the page at /admin/analytics.
    if (name === 'sw.js') c.header('Service-Worker-Allowed', BASE);
    return send(c, files.get(name));
  });
  return app;
}
