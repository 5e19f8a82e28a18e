/**
 * Turns a beacon click ('c': the clicked element's raw data attributes, its link and a QR flag)
 * into the event it stands for, so the beacon carries none of this logic:
 * - data-cfa-event="name" → action 'a' with its data-cfa-prop-KEY attributes as props, and the
 *   link clicked inside (or on) the tagged element as its target;
 * - data-share="channel" (link from data-share-link, else the element's) → share 's';
 * - a QR download → share 's' on channel 'qr';
 * - any other link → 'l', classified later into a share intent, file download or outbound link.
 * Anything that is not a well-formed click is returned unchanged, for the validator to judge.
 * The element's other data attributes are dropped here, unread.
 */
export function expandClick(raw: unknown): unknown {
  if (!isObject(raw) || raw.k !== 'c' || !isObject(raw.p)) return raw;
  const { p: data, q, l, ...rest } = raw;
  const link = typeof data.shareLink === 'string' && data.shareLink ? data.shareLink : l;
  if (data.cfaEvent) return { ...rest, k: 'a', n: data.cfaEvent, p: tagProps(data), l };
  if (data.share || q === true) return { ...rest, k: 's', n: data.share || 'qr', l: link };
  return { ...rest, k: 'l', l };
}

// The browser turns data-cfa-prop-file-type into dataset.cfaPropFileType: HTML attribute names
// are lower case, so each capital letter stands for "-" plus that letter and the name converts back.
const PROP = /^cfaProp(.+)$/;

/**
 * The props of a tagged element: its data-cfa-prop-KEY attributes under their original KEY. Built
 * with fromEntries, so a forged "__proto__" is an own key the validator refuses, never a prototype.
 */
export function tagProps(data: Record<string, unknown>): Record<string, unknown> {
  const props: [string, unknown][] = [];
  for (const [key, value] of Object.entries(data)) {
    const camel = PROP.exec(key)?.[1];
    if (camel) props.push([camel.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase()).replace(/^-/, ''), value]);
  }
  return Object.fromEntries(props);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
