import type { CAC } from 'cac';
import { AccessStore, ACCOUNT_NAME, KEY_SCOPES, type Scope } from '../../collector/access/access-store.ts';
import { passwordProblem } from '../../collector/access/passwords.ts';
import { parseRoles, siteName, type Roles } from '../../collector/access/roles.ts';
import { systemClock } from '../../storage/types.ts';
import { cliConfig } from '../data-dir.ts';
import { openSettings } from '../settings.ts';
import { readSecret } from '../secret-input.ts';
import { UsageError } from '../usage-error.ts';

/**
 * `cfa user|key|link`: accounts, API keys and public links, written where the collector reads
 * them (cli/settings.ts), so a running collector applies them on the next request.
 */
export function register(cli: CAC): void {
  cli
    .command('user <action> [name]', 'Accounts: add, list, remove, passwd')
    .option('--role <site=role>', 'with add: a role (viewer, admin; owner for *) on a site or *; repeatable')
    .option('--password-stdin', 'read the password from stdin instead of a prompt')
    .option('--data-dir <dir>', 'default: $ANALYTICS_DATA_DIR or ./data')
    .example("cfa user add alice --role '*=viewer'")
    .example('cfa user add bob --role shop.example=admin --role blog.example=viewer')
    .example('printf %s "$PASSWORD" | cfa user passwd alice --password-stdin')
    .action((action: string, name: string | undefined, options: Options) =>
      withStore(options, (store) => user(store, String(action), name, options)),
    );
  cli
    .command('key <action> [id]', 'API keys: add, list, revoke')
    .option('--site <site>', 'the key’s site (add; filters list)')
    .option('--scope <scope>', 'with add: read or track; repeatable')
    .option('--name <name>', 'with add: a label, e.g. what uses the key')
    .option('--data-dir <dir>', 'default: $ANALYTICS_DATA_DIR or ./data')
    .example('cfa key add --site shop.example --scope read --name grafana')
    .action((action: string, id: string | undefined, options: Options) =>
      withStore(options, (store) => key(store, String(action), id, options)),
    );
  cli
    .command('link <action> [id]', 'Public read-only links: add, list, revoke')
    .option('--site <site>', 'the link’s site (add; filters list)')
    .option('--expires <date>', 'with add: an ISO date or time after which the link stops working')
    .option('--show-users', 'with add: show the users table and user pages (they name identified users)')
    .option('--password', 'with add: ask for a password the visitor must give')
    .option('--password-stdin', 'with add: read that password from stdin')
    .option('--data-dir <dir>', 'default: $ANALYTICS_DATA_DIR or ./data')
    .example('cfa link add --site shop.example --expires 2027-01-31')
    .action((action: string, id: string | undefined, options: Options) =>
      withStore(options, (store) => link(store, String(action), id, options)),
    );
}

interface Options {
  dataDir?: string;
  role?: string | string[];
  passwordStdin?: boolean;
  password?: boolean;
  site?: string;
  scope?: string | string[];
  name?: string;
  expires?: string;
  showUsers?: boolean;
}

async function withStore(options: Options, run: (store: AccessStore) => Promise<void>): Promise<void> {
  const settings = await openSettings(cliConfig(options));
  try {
    await run(new AccessStore(settings, systemClock));
  } finally {
    await settings.close();
  }
}

const list = (value: string | string[] | undefined) =>
  value === undefined ? [] : (Array.isArray(value) ? value : [value]).map(String);
const date = (ms: number | null) => (ms === null ? '-' : new Date(ms).toISOString());

async function password(prompt: string, options: Options): Promise<string> {
  const value = await readSecret(prompt, options.passwordStdin === true);
  const problem = passwordProblem(value);
  if (problem) throw new UsageError(problem);
  return value;
}

function roles(options: Options): Roles {
  const given = list(options.role);
  if (given.length === 0) throw new UsageError("give at least one --role, e.g. --role '*=viewer'");
  const map: Record<string, string> = {};
  for (const entry of given) {
    const at = entry.lastIndexOf('=');
    if (at <= 0) throw new UsageError(`--role must be site=role, got ${JSON.stringify(entry)}`);
    map[entry.slice(0, at)] = entry.slice(at + 1);
  }
  const parsed = parseRoles(map);
  if (typeof parsed === 'string') throw new UsageError(parsed);
  return parsed;
}

function needName(name: string | undefined): string {
  if (!name || !ACCOUNT_NAME.test(name))
    throw new UsageError(
      'give a user name: 1 to 64 letters, digits or . _ @ + - (starting with a letter or digit)',
    );
  return name;
}

async function user(store: AccessStore, action: string, name: string | undefined, options: Options) {
  if (action === 'list') {
    for (const a of await store.accounts())
      console.log(
        `${a.id}\t${Object.entries(a.body.roles)
          .map(([site, role]) => `${site}=${role}`)
          .join(',')}\tcreated ${date(a.body.created)}\tlast login ${date(a.body.last_login)}`,
      );
    return;
  }
  const who = needName(name);
  if (action === 'add') {
    const granted = roles(options);
    if (await store.account(who)) throw new UsageError(`user ${who} already exists`);
    await store.createAccount(who, await password(`Password for ${who}: `, options), granted);
    console.log(`added ${who}`);
  } else if (action === 'passwd') {
    if (!(await store.account(who))) throw new UsageError(`no user ${who}`);
    await store.updateAccount(who, { password: await password(`New password for ${who}: `, options) });
    console.log(`changed the password of ${who}; their sessions are signed out`);
  } else if (action === 'remove') {
    if (!(await store.removeAccount(who))) throw new UsageError(`no user ${who}`);
    console.log(`removed ${who} and signed out their sessions`);
  } else
    throw new UsageError(`cfa user: unknown action ${JSON.stringify(action)} (add, list, remove, passwd)`);
}

function needSite(options: Options): string {
  const site = siteName(options.site);
  if (!site) throw new UsageError('give --site, a domain name');
  return site;
}

async function key(store: AccessStore, action: string, id: string | undefined, options: Options) {
  if (action === 'list') {
    const site = options.site === undefined ? undefined : needSite(options);
    for (const k of await store.keys(site))
      console.log(
        `${k.id}\t${k.site}\t${k.body.scopes.join(',')}\t${k.body.name}\tcreated ${date(k.body.created)}\tlast used ${date(k.body.last_used)}`,
      );
  } else if (action === 'add') {
    const site = needSite(options);
    const scopes = list(options.scope);
    if (scopes.length === 0 || !scopes.every((s) => KEY_SCOPES.includes(s as Scope)))
      throw new UsageError(`give --scope ${KEY_SCOPES.join(' or ')} (repeatable)`);
    const created = await store.createKey(site, [...new Set(scopes as Scope[])], String(options.name ?? ''));
    console.log(`key ${created.id} for ${site}; shown only now, keep it secret:\n${created.key}`);
  } else if (action === 'revoke') {
    if (!id || !(await store.revokeKey(id))) throw new UsageError(`no key ${id ?? '(give its id)'}`);
    console.log(`revoked key ${id}`);
  } else throw new UsageError(`cfa key: unknown action ${JSON.stringify(action)} (add, list, revoke)`);
}

async function link(store: AccessStore, action: string, id: string | undefined, options: Options) {
  if (action === 'list') {
    const site = options.site === undefined ? undefined : needSite(options);
    for (const l of await store.links(site))
      console.log(
        `${l.id}\t${l.site}\t/share/${l.id}\texpires ${date(l.body.expires)}\t${l.body.show_users ? 'shows users' : 'no users'}\t${l.body.password ? 'password' : 'open'}`,
      );
  } else if (action === 'add') {
    const site = needSite(options);
    let expires: number | null = null;
    if (options.expires !== undefined) {
      expires = Date.parse(String(options.expires));
      if (!Number.isFinite(expires) || expires <= Date.now())
        throw new UsageError('--expires must be an ISO date or time in the future');
    }
    const secret =
      options.password || options.passwordStdin ? await password('Password for the link: ', options) : null;
    const created = await store.createLink(site, {
      password: secret,
      expires,
      show_users: options.showUsers === true,
    });
    console.log(`link ${created.id} for ${site}: /share/${created.id}`);
  } else if (action === 'revoke') {
    if (!id || !(await store.revokeLink(id))) throw new UsageError(`no link ${id ?? '(give its id)'}`);
    console.log(`revoked link ${id}`);
  } else throw new UsageError(`cfa link: unknown action ${JSON.stringify(action)} (add, list, revoke)`);
}
