// Character-code checks instead of a regex class, so no source line has to spell control
// characters (which lint reads as a likely mistake); here rejecting them is the point.

/** True when `s` holds a C0, DEL or C1 control character (U+0000-U+001F, U+007F-U+009F). */
export function hasControlChar(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) return true;
  }
  return false;
}
