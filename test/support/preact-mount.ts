import { afterEach } from 'vitest';
import { render } from 'preact';

/**
 * `mount(vnode)` renders into a fresh element of the test's document; `unmount()` unmounts and
 * removes every element mounted so far, as happens after each test. Call once at the top of a
 * test file: it registers the `afterEach`.
 */
export function preactMount(): { mount: (vnode: unknown) => HTMLElement; unmount: () => void } {
  const mounted: HTMLElement[] = [];
  const unmount = () => {
    for (const root of mounted.splice(0)) {
      render(null, root);
      root.remove();
    }
  };
  afterEach(unmount);
  return {
    mount(vnode) {
      const root = document.createElement('div');
      document.body.append(root);
      render(vnode as Parameters<typeof render>[0], root);
      mounted.push(root);
      return root;
    },
    unmount,
  };
}
