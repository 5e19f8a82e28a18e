import { html } from 'htm/preact';
import { useCallback, useEffect, useState } from 'preact/hooks';
import {
  currentSession,
  exchangeToken,
  forgetSession,
  linkGoneMessage,
  openLink,
  recalledSession,
  rememberSession,
  signIn,
  signInMessage,
  signOut,
  type SignInResult,
} from '../lib/auth.ts';
import type { Session } from '../lib/session.ts';
import { API_CACHE } from '../lib/sw-keys.ts';
import { App } from './app.ts';
import { LinkGone, LinkPassword, Login } from './login.ts';

type Phase =
  | { at: 'checking' }
  | { at: 'signin'; error: string | null; notice?: string; tokenFirst?: boolean }
  | { at: 'link-password'; error: string | null }
  | { at: 'link-gone'; message: string }
  | { at: 'app'; session: Session };

/** What the service worker cached belongs to whoever was signed in: it goes when they do. */
const dropCache = () => void globalThis.caches?.delete(API_CACHE).catch(() => undefined);

const sameWho = (a: Session | null, b: Session) =>
  a !== null && a.kind === b.kind && a.name === b.name && JSON.stringify(a.roles) === JSON.stringify(b.roles);

/**
 * Signs in, then shows the dashboard. On /share/<id> it opens that public link; with a #token=
 * it trades the admin token for a session once; otherwise the browser's cookie is the session.
 */
export function Root({ hashToken, link }: { hashToken: string | null; link: string | null }) {
  const [phase, setPhase] = useState<Phase>({ at: 'checking' });
  const [busy, setBusy] = useState(false);

  const enter = useCallback((session: Session) => {
    // Another person's (or another role's) cached figures must not show under this session.
    if (!sameWho(recalledSession(localStorage), session)) dropCache();
    rememberSession(localStorage, session);
    setPhase({ at: 'app', session });
  }, []);

  const ended = useCallback((why: { error: string } | { notice: string }) => {
    forgetSession(localStorage);
    dropCache();
    setPhase(
      link ? { at: 'link-gone', message: linkGoneMessage('') } : { at: 'signin', error: null, ...why },
    );
  }, []);

  const tryLink = useCallback(async (password?: string) => {
    setBusy(true);
    if (password === undefined) {
      // A reload: this link's session may still be in the cookie (no need to ask its password).
      const me = await currentSession();
      if (me.ok && me.session.kind === 'link' && me.session.link === link) {
        setBusy(false);
        return setPhase({ at: 'app', session: me.session });
      }
    }
    const result = await openLink(link!, password);
    setBusy(false);
    if (result.ok) return setPhase({ at: 'app', session: result.session });
    // A lockout while typing passwords keeps the form, with the wait, for the next try.
    if (result.passwordRequired || (password !== undefined && result.status === 429))
      return setPhase({
        at: 'link-password',
        error:
          password === undefined && result.status !== 429 ? null : signInMessage(result, 'link', Date.now()),
      });
    setPhase({ at: 'link-gone', message: signInMessage(result, 'link', Date.now()) });
  }, []);

  useEffect(() => {
    if (link) {
      void tryLink();
      return;
    }
    const boot = async () => {
      if (hashToken) {
        const result = await exchangeToken(hashToken);
        if (result.ok) return enter(result.session);
        return setPhase({
          at: 'signin',
          error: signInMessage(result, 'token', Date.now()),
          tokenFirst: true,
        });
      }
      const result = await currentSession();
      if (result.ok && result.session.kind !== 'link') return enter(result.session);
      if (!result.ok && result.status === 0) {
        // No connection: the browser that signed in (and did not sign out) may read what the
        // service worker kept; anyone else gets the sign-in form.
        const noted = recalledSession(localStorage);
        if (noted) return setPhase({ at: 'app', session: noted });
      } else if (!result.ok && result.status === 401) forgetSession(localStorage);
      setPhase({
        at: 'signin',
        error: result.ok || result.status === 401 ? null : signInMessage(result, 'token', Date.now()),
      });
    };
    void boot();
  }, []);

  // A session recalled offline has no CSRF token (it is never stored): once the collector answers
  // again, ask it for the live session, or for a sign-in if that ended meanwhile.
  const recalled = phase.at === 'app' && phase.session.kind !== 'link' && !phase.session.csrf;
  useEffect(() => {
    if (!recalled) return;
    let live = true;
    const check = () =>
      void currentSession().then((result) => {
        if (!live) return;
        if (result.ok && result.session.kind !== 'link') enter(result.session);
        else if (!result.ok && result.status === 401)
          ended({ error: 'Your session has ended. Please sign in again.' });
      });
    addEventListener('online', check);
    const timer = setInterval(check, 5_000);
    return () => {
      live = false;
      removeEventListener('online', check);
      clearInterval(timer);
    };
  }, [recalled]);

  const attempt = async (call: Promise<SignInResult>, tried: 'password' | 'token') => {
    setBusy(true);
    const result = await call;
    setBusy(false);
    if (result.ok) enter(result.session);
    else
      setPhase({
        at: 'signin',
        error: signInMessage(result, tried, Date.now()),
        tokenFirst: tried === 'token',
      });
  };

  switch (phase.at) {
    case 'checking':
      return html`<p class="notice" aria-busy="true">Signing in…</p>`;
    case 'signin':
      return html`<${Login}
        error=${phase.error}
        notice=${phase.notice ?? null}
        tokenFirst=${phase.tokenFirst === true}
        busy=${busy}
        onPassword=${(u: string, p: string) => attempt(signIn(u, p), 'password')}
        onToken=${(t: string) => attempt(exchangeToken(t), 'token')}
      />`;
    case 'link-password':
      return html`<${LinkPassword}
        error=${phase.error}
        busy=${busy}
        onPassword=${(p: string) => tryLink(p)}
      />`;
    case 'link-gone':
      return html`<${LinkGone} message=${phase.message} />`;
    case 'app':
      return html`<${App}
        session=${phase.session}
        onSignOut=${async (everywhere: boolean) => {
          const confirmed = await signOut(phase.session.csrf, everywhere);
          ended(
            !confirmed
              ? {
                  error:
                    'Signed out of this page, but the collector could not be reached: sign in and out again when it is, to end the session there too.',
                }
              : { notice: everywhere ? 'Signed out on every device.' : 'Signed out.' },
          );
        }}
        onExpired=${() =>
          ended({
            error: 'Your session has ended (signed out elsewhere, expired or revoked). Please sign in again.',
          })}
      />`;
  }
}
