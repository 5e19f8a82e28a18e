import { CHROME_UA } from './helpers.ts';

/**
 * The request shape of security review C1, shared by the attack test and bench/attack-c1.ts: a
 * batch of 16 actions, each with a name and 5 numeric prop keys never seen before.
 */
export function c1Body(request: number, site = 'victim.example'): string {
  return JSON.stringify(
    Array.from({ length: 16 }, (_, e) => ({
      k: 'a',
      s: site,
      u: `https://${site}/app`,
      n: `act-${request}-${e}`,
      p: Object.fromEntries(Array.from({ length: 5 }, (_, j) => [`key-${request}-${e}-${j}`, j + 1])),
    })),
  );
}

/** Sends requests first…first+count−1 of the C1 shape, 8 at a time; returns the answers by status. */
export async function sendC1(url: string, first: number, count: number): Promise<Record<number, number>> {
  const statuses: Record<number, number> = {};
  let next = first;
  const worker = async () => {
    while (next < first + count) {
      const n = next++;
      const res = await fetch(`${url}/api/event`, {
        method: 'POST',
        headers: { 'content-type': 'text/plain', 'user-agent': CHROME_UA },
        body: c1Body(n),
      });
      await res.arrayBuffer();
      statuses[res.status] = (statuses[res.status] ?? 0) + 1;
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  return statuses;
}

/** Plants a page view whose path is `path`, as any visitor can. */
export async function plantPath(url: string, path: string, site = 'victim.example'): Promise<number> {
  const res = await fetch(`${url}/api/event`, {
    method: 'POST',
    headers: { 'content-type': 'text/plain', 'user-agent': CHROME_UA },
    body: JSON.stringify({ k: 'p', s: site, u: `https://${site}${path}` }),
  });
  await res.arrayBuffer();
  return res.status;
}

/**
 * Runs `request` while /healthz is asked every 20 ms; returns the request's time and the longest
 * /healthz answer meanwhile (how long the event loop was held), both in ms. `limitMs` aborts both.
 */
export async function withHealthProbe<T>(
  url: string,
  request: (signal: AbortSignal) => Promise<T>,
  limitMs = 60_000,
): Promise<{ result: T | null; ms: number; healthMaxMs: number }> {
  const signal = AbortSignal.timeout(limitMs);
  let done = false;
  let healthMaxMs = 0;
  const probe = (async () => {
    while (!done && !signal.aborted) {
      const t = performance.now();
      try {
        await (await fetch(`${url}/healthz`, { signal })).arrayBuffer();
      } catch {
        // aborted at the limit: the answer took at least until now
      }
      healthMaxMs = Math.max(healthMaxMs, performance.now() - t);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  })();
  const start = performance.now();
  let result: T | null = null;
  try {
    result = await request(signal);
  } catch {
    result = null;
  }
  const ms = performance.now() - start;
  done = true;
  await probe;
  return { result, ms, healthMaxMs };
}
