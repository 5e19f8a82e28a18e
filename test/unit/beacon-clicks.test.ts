// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import { BeaconPage } from './beacon-harness.ts';

const pages: BeaconPage[] = [];
afterEach(async () => {
  for (const p of pages.splice(0)) await p.close();
});

async function clickOn(html: string, selector: string, init?: { button?: number; ctrlKey?: boolean }) {
  const page = new BeaconPage({ url: 'https://example.com/photos', html });
  pages.push(page);
  await page.settle();
  const requestsBefore = page.sent.length;
  const notCancelled = page.click(selector, init);
  await page.settle();
  const sent = page.sent.slice(requestsBefore);
  return { sent, events: sent.flatMap((s) => s.events).map(({ s, u, g, ...rest }) => rest), notCancelled };
}

describe('beacon click capture', () => {
  it.each([
    [
      'a WhatsApp link',
      '<a id="t" href="https://wa.me/?text=Look%20https%3A%2F%2Fexample.com%2Fs%2Fabc">wa</a>',
      { k: 'l', l: 'https://wa.me/?text=Look%20https%3A%2F%2Fexample.com%2Fs%2Fabc' },
    ],
    [
      'a whatsapp: link',
      '<a id="t" href="whatsapp://send?text=hi">wa</a>',
      { k: 'l', l: 'whatsapp://send?text=hi' },
    ],
    [
      'a mailto: link',
      '<a id="t" href="mailto:?body=https://example.com/s/1">mail</a>',
      { k: 'l', l: 'mailto:?body=https://example.com/s/1' },
    ],
    [
      'an outbound link',
      '<a id="t" href="https://other.org/x?y=1">out</a>',
      { k: 'l', l: 'https://other.org/x?y=1' },
    ],
    [
      'a same-site file download',
      '<a id="t" href="/files/report.pdf">pdf</a>',
      { k: 'l', l: 'https://example.com/files/report.pdf' },
    ],
    [
      'a data-share element',
      '<button id="t" data-share="copy" data-share-link="https://example.com/s/abc">copy</button>',
      { k: 's', n: 'copy', l: 'https://example.com/s/abc' },
    ],
    [
      'a QR download named so',
      '<a id="t" download="cloudface-QR.png" href="data:image/png;base64,AAAA">get</a>',
      { k: 's', n: 'qr', l: '' },
    ],
    [
      'a download of a QR image',
      '<a id="t" download href="/img/code.png"><img id="i" alt="QR code"></a>',
      { k: 's', n: 'qr', l: 'https://example.com/img/code.png' },
    ],
    [
      'a tagged element with props',
      '<button id="t" data-cfa-event="photo_processed" data-cfa-prop-processed_count="150" data-cfa-prop-mode="fast">go</button>',
      { k: 'a', n: 'photo_processed', p: { processed_count: '150', mode: 'fast' } },
    ],
  ])('reports %s', async (_name, html, expected) => {
    const { sent, events, notCancelled } = await clickOn(html, '#t');
    expect(events).toEqual([expected]);
    expect(sent).toHaveLength(1);
    expect(notCancelled).toBe(true);
  });

  it('finds the element from a click on its child', async () => {
    const { events } = await clickOn('<a download href="/img/code.png"><img id="i" alt="qr"></a>', '#i');
    expect(events).toEqual([{ k: 's', n: 'qr', l: 'https://example.com/img/code.png' }]);
  });

  it.each([
    ['a same-site page link', '<a id="t" href="/about">about</a>'],
    ['a javascript: link', '<a id="t" href="javascript:void(0)">js</a>'],
    ['a plain button', '<button id="t">b</button>'],
    [
      'a download that is not a QR code',
      '<a id="t" download="photo.jpg" href="data:image/jpeg;base64,cXJxcg==">get</a>',
    ],
  ])('reports nothing for %s', async (_name, html) => {
    const { sent } = await clickOn(html, '#t');
    expect(sent).toEqual([]);
  });

  it('counts middle-clicks and ctrl-clicks and never cancels the click', async () => {
    const html = '<a id="t" href="https://other.org/" target="_blank">out</a>';
    const middle = await clickOn(html, '#t', { button: 1 });
    expect(middle.events).toEqual([{ k: 'l', l: 'https://other.org/' }]);
    expect(middle.notCancelled).toBe(true);
    const ctrl = await clickOn(html, '#t', { ctrlKey: true });
    expect(ctrl.events).toHaveLength(1);
    expect(ctrl.notCancelled).toBe(true);
  });

  it('sees clicks the page stops from propagating', async () => {
    const page = new BeaconPage({ html: '<a id="t" href="https://other.org/">out</a>' });
    pages.push(page);
    page.window.document.getElementById('t')!.addEventListener('click', (e) => e.stopPropagation());
    await page.settle();
    page.click('#t');
    await page.settle();
    expect(page.events.map((e) => e.k)).toEqual(['p', 'l']);
  });
});
