// Small pieces the Team & sharing sections share: a list loaded from the admin API, an action
// that reports its outcome, and a copy button.

import { html } from 'htm/preact';
import { useCallback, useEffect, useState } from 'preact/hooks';
import { AuthError } from '../lib/api.ts';

/** What a failed admin call says; a 401 ends the session instead (the app shows the sign-in). */
export type OnFailure = (error: unknown) => string;

export function failureText(error: unknown, onExpired: () => void): string {
  if (error instanceof AuthError) {
    onExpired();
    return 'Your session has ended.';
  }
  return error instanceof Error ? error.message : 'request failed';
}

/** A list from the admin API, reloaded when `key` changes or on demand. */
export function useList<T>(load: () => Promise<T[]>, key: string, fail: OnFailure) {
  const [items, setItems] = useState<T[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const reload = useCallback(() => {
    let live = true;
    load().then(
      (rows) => {
        if (!live) return;
        setItems(rows);
        setError(null);
      },
      (e: unknown) => live && setError(fail(e)),
    );
    return () => {
      live = false;
    };
  }, [key]);
  useEffect(() => {
    setItems(null);
    return reload();
  }, [reload]);
  return { items, error, reload };
}

/** Runs one change; its outcome is shown as a status line (text only) under the section. */
export function useAction(fail: OnFailure) {
  const [status, setStatus] = useState<{ text: string; bad: boolean } | null>(null);
  const [busy, setBusy] = useState(false);
  const run = useCallback(
    async <T>(action: () => Promise<T>, done: string | ((result: T) => string)): Promise<T | null> => {
      setBusy(true);
      try {
        const result = await action();
        setStatus({ text: typeof done === 'string' ? done : done(result), bad: false });
        return result;
      } catch (e) {
        setStatus({ text: fail(e), bad: true });
        return null;
      } finally {
        setBusy(false);
      }
    },
    [fail],
  );
  const line =
    status &&
    html`<p class=${status.bad ? 'error' : 'muted'} role=${status.bad ? 'alert' : 'status'} data-team-status>
      ${status.text}
    </p>`;
  return { run, busy, line };
}

/** Copies `text`, saying whether it worked (a copy can fail on plain http or without permission). */
export function CopyButton({ text, label = 'Copy' }: { text: string; label?: string }) {
  const [said, setSaid] = useState<string | null>(null);
  return html`<button
      class="btn"
      type="button"
      onClick=${() =>
        (navigator.clipboard?.writeText(text) ?? Promise.reject(new Error('no clipboard'))).then(
          () => setSaid('Copied'),
          () => setSaid('Could not copy: select the text and copy it'),
        )}
    >
      ${label}</button
    >${said && html`<span class="muted" role="status"> ${said}</span>`}`;
}

/** A button that asks once more before it does something that cannot be undone. */
export function ConfirmButton({
  label,
  confirm,
  disabled,
  onConfirm,
}: {
  label: string;
  confirm: string;
  disabled?: boolean;
  onConfirm: () => void;
}) {
  const [asking, setAsking] = useState(false);
  if (!asking)
    return html`<button class="btn" type="button" disabled=${disabled} onClick=${() => setAsking(true)}>
      ${label}
    </button>`;
  return html`<span class="confirm">
    <button
      class="btn danger"
      type="button"
      disabled=${disabled}
      onClick=${() => {
        setAsking(false);
        onConfirm();
      }}
    >
      ${confirm}
    </button>
    <button class="btn" type="button" onClick=${() => setAsking(false)}>Cancel</button>
  </span>`;
}
