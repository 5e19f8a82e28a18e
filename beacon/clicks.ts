import { FILE_LINK } from '../shared/wire.ts';
import type { Draft } from './transport.ts';

const PROP = 'data-cfa-prop-';
// A QR download: an a[download] whose file name or image mentions it (:has is in every target browser).
const QR = 'a[download*="qr" i],a[download]:has(img[alt*="qr" i])';

/**
 * The event a click on `target` stands for, if any: a tagged element (data-cfa-event with
 * data-cfa-prop-KEY props), a share (data-share, or a download of a QR image), or a link that
 * leaves the page, which the collector sorts into share intents, file downloads and outbound
 * links. The click itself is never touched: navigation, middle-click and target=_blank work as
 * usual.
 */
export function clickEvent(target: EventTarget | null): Draft | undefined {
  const el = (target as Element | null)?.closest?.(
    `[data-cfa-event],[data-share],${QR},a[href]`,
  ) as HTMLAnchorElement;
  if (!el) return;
  const { cfaEvent, share, shareLink } = el.dataset;
  // javascript:, data: and blob: links lead nowhere worth reporting, and a data: URL can be megabytes.
  const href = /^(javascript|data|blob):/.test(el.protocol) ? '' : el.href;
  if (cfaEvent) {
    const p: Record<string, string> = {};
    for (const { name, value } of el.attributes)
      if (name.startsWith(PROP)) p[name.slice(PROP.length)] = value;
    return { k: 'a', n: cfaEvent, p };
  }
  // Without a link the collector records the page as the shared link.
  if (share || el.matches(QR)) return { k: 's', n: share || 'qr', l: shareLink || href };
  if (href && (el.host != location.host || FILE_LINK.test(el.pathname))) return { k: 'l', l: href };
}
