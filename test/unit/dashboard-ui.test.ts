// @vitest-environment happy-dom
// Dashboard components rendered with Preact into happy-dom: what the admin sees and what a click
// sends back to the app.
import { html } from 'htm/preact';
import { render } from 'preact';
import { afterEach, describe, expect, it } from 'vitest';
import { parseState } from '../../dashboard/lib/url-state.ts';
import { Chips } from '../../dashboard/ui/chips.ts';

let root: HTMLElement;
function mount(vnode: unknown): HTMLElement {
  root = document.createElement('div');
  document.body.append(root);
  render(vnode as Parameters<typeof render>[0], root);
  return root;
}
afterEach(() => {
  render(null, root);
  root.remove();
});

const button = (el: HTMLElement, text: string) =>
  [...el.querySelectorAll('button')].find((b) => b.textContent?.trim() === text) as HTMLButtonElement;

describe('filter chips', () => {
  it('clears every filter with one call, not one removal per chip from the same old view', () => {
    const state = parseState('?country=IN&page=%2Fpricing&device=desktop');
    const removed: string[] = [];
    let cleared = 0;
    const el = mount(
      html`<${Chips}
        filters=${state.filters}
        onRemove=${(k: string) => removed.push(k)}
        onClear=${() => cleared++}
      />`,
    );
    expect(el.querySelectorAll('.chip')).toHaveLength(3);
    button(el, 'Clear all').click();
    expect(cleared).toBe(1);
    expect(removed).toEqual([]);
  });

  it('drops empty parameters instead of making an "Unknown" chip', () => {
    expect(parseState('?country=&device=mobile').filters).toEqual([{ key: 'device', value: 'mobile' }]);
  });
});
