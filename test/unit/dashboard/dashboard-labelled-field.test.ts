// @vitest-environment happy-dom
// The form row the Team & sharing forms share, rendered with Preact into happy-dom.
import { html } from 'htm/preact';
import { describe, expect, it } from 'vitest';
import { LabelledField } from '../../../dashboard/ui/labelled-field.ts';
import { preactMount } from '../../support/preact-mount.ts';

const { mount } = preactMount();

describe('a labelled field', () => {
  it('puts a text input inside its label and reports what is typed', () => {
    const typed: string[] = [];
    const el = mount(
      html`<${LabelledField}
        label="Password"
        type="password"
        autocomplete="new-password"
        value="old"
        onValue=${(v: string) => typed.push(v)}
      />`,
    );
    expect(el.innerHTML).toBe('<label>Password<input type="password" autocomplete="new-password"></label>');
    const input = el.querySelector('input')!;
    expect(input.value).toBe('old');
    input.value = 'new secret';
    input.dispatchEvent(new Event('input'));
    expect(typed).toEqual(['new secret']);
  });

  it('leaves out the attributes it is not given', () => {
    const el = mount(html`<${LabelledField} label="Name" value="" onValue=${() => undefined} />`);
    expect(el.innerHTML).toBe('<label>Name<input></label>');
  });

  it('renders a select of the choices, its label for screen readers only when asked, and reports the pick', () => {
    const picked: string[] = [];
    const el = mount(
      html`<${LabelledField}
        label="Site"
        hideLabel
        value="b.test"
        choices=${[
          { value: '*', text: 'Every site' },
          { value: 'b.test', text: 'b.test' },
        ]}
        onValue=${(v: string) => picked.push(v)}
      />`,
    );
    expect(el.querySelector('label > span.sr-only')?.textContent).toBe('Site');
    const select = el.querySelector('label > select.site') as HTMLSelectElement;
    expect([...select.options].map((o) => [o.value, o.textContent])).toEqual([
      ['*', 'Every site'],
      ['b.test', 'b.test'],
    ]);
    expect(select.value).toBe('b.test');
    select.value = '*';
    select.dispatchEvent(new Event('change'));
    expect(picked).toEqual(['*']);
  });

  it('shows a label that came from a browser as text', () => {
    const el = mount(
      html`<${LabelledField}
        label=${'New password for <img src=x onerror=alert(1)>'}
        value=""
        onValue=${() => undefined}
      />`,
    );
    expect(el.querySelector('img')).toBeNull();
    expect(el.querySelector('label')!.textContent).toBe('New password for <img src=x onerror=alert(1)>');
  });
});
