import { safe } from './tag.ts';
import { emit } from './transport.ts';

// Without a url the collector records the page as the shared link.
const record = safe((data: ShareData | undefined, o: 0 | 1) =>
  emit({ k: 's', n: 'native', l: data?.url, o }),
);

/**
 * Wraps navigator.share so each call records a 'native' share with its outcome: 1 when the user
 * completed it, 0 when they cancelled. The page gets the original promise's result unchanged.
 */
// Safe on its own: a page may have made navigator.share read-only, which must not stop the rest.
export const wrapNativeShare = safe(() => {
  const nav = navigator;
  const share = nav.share;
  if (share)
    nav.share = (data) =>
      share.call(nav, data).then(
        () => record(data, 1),
        (error) => {
          record(data, 0);
          throw error;
        },
      );
});
