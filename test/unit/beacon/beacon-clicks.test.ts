// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import { expandClick } from '../../../collector/pipeline/click.ts';
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
  // Each click leaves as 'c' (the element's data attributes, link and QR flag) and the collector
  // expands it into the event it stands for (collector/pipeline/click.ts).
  it.each([
    [
      'a WhatsApp link',
      '<a id="t" href="https://wa.me/?text=Look%20https%3A%2F%2Fexample.com%2Fs%2Fabc">wa</a>',
      { k: 'c', p: {}, l: 'https://wa.me/?text=Look%20https%3A%2F%2Fexample.com%2Fs%2Fabc', q: false },
      { k: 'l', l: 'https://wa.me/?text=Look%20https%3A%2F%2Fexample.com%2Fs%2Fabc' },
    ],
    [
      'a whatsapp: link',
      '<a id="t" href="whatsapp://send?text=hi">wa</a>',
      { k: 'c', p: {}, l: 'whatsapp://send?text=hi', q: false },
      { k: 'l', l: 'whatsapp://send?text=hi' },
    ],
    [
      'a mailto: link',
      '<a id="t" href="mailto:?body=https://example.com/s/1">mail</a>',
      { k: 'c', p: {}, l: 'mailto:?body=https://example.com/s/1', q: false },
      { k: 'l', l: 'mailto:?body=https://example.com/s/1' },
    ],
    [
      'an outbound link',
      '<a id="t" href="https://other.org/x?y=1">out</a>',
      { k: 'c', p: {}, l: 'https://other.org/x?y=1', q: false },
      { k: 'l', l: 'https://other.org/x?y=1' },
    ],
    [
      'a same-site file download',
      '<a id="t" href="/files/report.pdf">pdf</a>',
      { k: 'c', p: {}, l: 'https://example.com/files/report.pdf', q: false },
      { k: 'l', l: 'https://example.com/files/report.pdf' },
    ],
    [
      'a data: download that is not a QR code (the collector counts it as a file download)',
      '<a id="t" download="photo.jpg" href="data:image/jpeg;base64,cXJxcg==">get</a>',
      { k: 'c', p: {}, l: 'data:image/jpeg;base64,cXJxcg==', q: false },
      { k: 'l', l: 'data:image/jpeg;base64,cXJxcg==' },
    ],
    [
      'a data-share element',
      '<button id="t" data-share="copy" data-share-link="https://example.com/s/abc">copy</button>',
      { k: 'c', p: { share: 'copy', shareLink: 'https://example.com/s/abc' }, q: false },
      { k: 's', n: 'copy', l: 'https://example.com/s/abc' },
    ],
    [
      'a QR download named so',
      '<a id="t" download="cloudface-QR.png" href="data:image/png;base64,AAAA">get</a>',
      { k: 'c', p: {}, l: 'data:image/png;base64,AAAA', q: true },
      { k: 's', n: 'qr', l: 'data:image/png;base64,AAAA' },
    ],
    [
      'a download of a QR image',
      '<a id="t" download href="/img/code.png"><img id="i" alt="QR code"></a>',
      { k: 'c', p: {}, l: 'https://example.com/img/code.png', q: true },
      { k: 's', n: 'qr', l: 'https://example.com/img/code.png' },
    ],
    [
      'a tagged element with props',
      '<button id="t" data-cfa-event="photo_processed" data-cfa-prop-processed_count="150" data-cfa-prop-file-type="jpg">go</button>',
      {
        k: 'c',
        p: { cfaEvent: 'photo_processed', cfaPropProcessed_count: '150', cfaPropFileType: 'jpg' },
        q: false,
      },
      { k: 'a', n: 'photo_processed', p: { processed_count: '150', 'file-type': 'jpg' } },
    ],
  ])('reports %s', async (_name, html, wire, expanded) => {
    const { sent, events, notCancelled } = await clickOn(html, '#t');
    expect(events).toEqual([wire]);
    expect(sent).toHaveLength(1);
    expect(notCancelled).toBe(true);
    const { k, p, l, q, ...common } = sent[0]!.events[0]!;
    expect(expandClick({ k, p, l, q, ...common })).toEqual({ ...common, ...expanded });
  });

  it('finds the element from a click on its child', async () => {
    const { events } = await clickOn('<a download href="/img/code.png"><img id="i" alt="qr"></a>', '#i');
    expect(events).toEqual([{ k: 'c', p: {}, l: 'https://example.com/img/code.png', q: true }]);
  });

  it.each([
    ['a same-site page link', '<a id="t" href="/about">about</a>'],
    ['a javascript: link', '<a id="t" href="javascript:void(0)">js</a>'],
    ['a plain button', '<button id="t">b</button>'],
  ])('reports nothing for %s', async (_name, html) => {
    const { sent } = await clickOn(html, '#t');
    expect(sent).toEqual([]);
  });

  it('counts middle-clicks and ctrl-clicks and never cancels the click', async () => {
    const html = '<a id="t" href="https://other.org/" target="_blank">out</a>';
    const middle = await clickOn(html, '#t', { button: 1 });
    expect(middle.events).toEqual([{ k: 'c', p: {}, l: 'https://other.org/', q: false }]);
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
    expect(page.events.map((e) => e.k)).toEqual(['p', 'c']);
  });
});
