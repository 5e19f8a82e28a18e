import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** The vendored list (collector/referrer-spam.txt); regenerate it with scripts/update-referrer-spam.ts. */
export const REFERRER_SPAM_FILE = join(import.meta.dirname, 'referrer-spam.txt');

/** Reads a list of spam hosts, one per line; `#` starts a comment. About 1,000 hosts, ~40 KB in memory. */
export async function loadReferrerSpam(path = REFERRER_SPAM_FILE): Promise<ReadonlySet<string>> {
  const text = await readFile(path, 'utf8');
  const hosts = new Set<string>();
  for (const raw of text.split('\n')) {
    const host = raw.replace(/#.*/, '').trim().toLowerCase();
    if (host) hosts.add(host);
  }
  return hosts;
}

/**
 * True when the referrer's host, or any domain above it, is on the list: spammers rotate
 * subdomains (foo.semalt.com), so matching parents catches them without listing each one.
 */
export function isSpamReferrer(referrer: string | undefined, spam: ReadonlySet<string>): boolean {
  if (!referrer || spam.size === 0) return false;
  let host: string;
  try {
    host = new URL(referrer).hostname.toLowerCase();
  } catch {
    return false;
  }
  const labels = host.split('.');
  for (let i = 0; i < labels.length - 1; i++) if (spam.has(labels.slice(i).join('.'))) return true;
  return false;
}
