// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import { BeaconPage, type PageOptions } from './beacon-harness.ts';

const pages: BeaconPage[] = [];
afterEach(async () => {
  for (const p of pages.splice(0)) await p.close();
});

async function open(options: PageOptions = {}): Promise<BeaconPage> {
  const page = new BeaconPage({ url: 'https://example.com/article', ...options });
  pages.push(page);
  await page.settle();
  return page;
}

const engagements = (page: BeaconPage) =>
  page.events.filter((e) => e.k === 'e').map(({ u, d, x }) => ({ u, d, x }));

describe('beacon engaged time and scroll depth', () => {
  it('reports the real reading time of a single-page visit when the page is hidden', async () => {
    const page = await open();
    page.advance(42_000);
    page.setHidden(true);
    // Sent synchronously: after hiding, a page may never run another task.
    expect(engagements(page)).toEqual([{ u: 'https://example.com/article', d: 42_000, x: 20 }]);
  });

  it('pauses while hidden or blurred, and repeat sends add only the new time', async () => {
    const page = await open();
    page.advance(10_000);
    page.setHidden(true); // 10 s
    page.advance(60_000); // hidden: not counted
    page.setHidden(false);
    page.advance(5_000);
    page.fire('blur');
    page.advance(30_000); // another window has focus: not counted
    page.fire('focus');
    page.advance(2_000);
    page.fire('pagehide');
    expect(engagements(page).map((e) => e.d)).toEqual([10_000, 7_000]);
  });

  it('ignores focus and blur of elements inside the page', async () => {
    const page = await open({ html: '<input id="q">' });
    const input = page.window.document.getElementById('q')!;
    input.dispatchEvent(new page.window.FocusEvent('blur'));
    page.advance(3_000);
    page.setHidden(true);
    expect(engagements(page).map((e) => e.d)).toEqual([3_000]);
  });

  it('sends the deepest scroll position reached, in percent of the page height', async () => {
    const page = await open();
    page.scrollTo(2_000); // (2000 + 800) / 4000
    page.scrollTo(400);
    page.advance(1_000);
    page.setHidden(true);
    expect(engagements(page)[0]!.x).toBe(70);
    page.setHidden(false);
    page.scrollTo(3_200);
    page.advance(1_000);
    page.fire('pagehide');
    expect(engagements(page).map((e) => e.x)).toEqual([70, 100]);
  });

  it('sends nothing when no engaged time was added since the last send', async () => {
    const page = await open();
    page.advance(1_000);
    page.setHidden(true);
    page.fire('pagehide');
    await page.settle();
    expect(engagements(page)).toHaveLength(1);
    expect(page.sent).toHaveLength(2);
  });

  it('does not count time before the page was first shown', async () => {
    const page = await open({ hidden: true });
    page.advance(50_000);
    page.setHidden(false);
    page.advance(2_000);
    page.setHidden(true);
    expect(engagements(page).map((e) => e.d)).toEqual([2_000]);
  });
});
