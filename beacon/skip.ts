import { options, store } from './tag.ts';

/**
 * Why the beacon must stay silent on this page, or '' when it may run. Checked once at start:
 * a skipped page sends nothing and keeps no state.
 */
export function skipReason(): string {
  const nav = navigator as Navigator & { globalPrivacyControl?: boolean };
  return nav.webdriver
    ? 'webdriver'
    : options.ignoreDnt == null && (nav.doNotTrack == '1' || nav.globalPrivacyControl)
      ? 'dnt'
      : store('cfa_ignore') === true
        ? 'cfa_ignore'
        : // localhost, 127.x, [::1], and '' (file: pages have no host)
          options.allowLocalhost == null && /^(localhost|127\.|\[::1\]|$)/.test(location.hostname)
          ? 'localhost'
          : '';
}
