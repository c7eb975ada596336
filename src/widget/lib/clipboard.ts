import { h, icon, replace, type IconName } from './dom.js';

/**
 * Puts text on the clipboard. `text` may be a promise (text fetched on click): it is handed to
 * the clipboard at once as a ClipboardItem, so the write still counts as part of the click in
 * browsers that require that. Without the async clipboard (an insecure context), a hidden textarea
 * and execCommand. Resolves with whether it worked.
 */
export async function copyToClipboard(text: string | Promise<string>, near: HTMLElement): Promise<boolean> {
  const clipboard = navigator.clipboard as Clipboard | undefined;
  if (typeof text !== 'string' && clipboard?.write && typeof ClipboardItem === 'function') {
    try {
      const blob = text.then((t) => new Blob([t], { type: 'text/plain' }));
      await clipboard.write([new ClipboardItem({ 'text/plain': blob })]);
      return true;
    } catch {
      /* no permission for write(), or the text could not be had: try the other ways */
    }
  }
  let value: string;
  try {
    value = await text;
  } catch {
    return false;
  }
  try {
    await clipboard!.writeText(value);
    return true;
  } catch {
    const ta = h('textarea', { class: 'pc-sr', 'aria-hidden': 'true', tabindex: -1 });
    ta.value = value;
    near.parentNode?.appendChild(ta);
    ta.select();
    let ok = false;
    try {
      ok = document.execCommand('copy');
    } catch {
      ok = false;
    }
    ta.remove();
    near.focus();
    return ok;
  }
}

/** How long a button shows "Copied" before its own label returns (ms). */
const CONFIRM_MS = 1600;

/**
 * Says on the button itself how copying went ("Copied", "Copy failed") for a moment, then shows
 * its own icon and label again; and through `announce` for screen readers. `what` names what was
 * copied: "the answer".
 */
export function copyButtonFeedback(button: HTMLButtonElement, idleIcon: IconName | null, idleLabel: string, ok: boolean, announce: (text: string) => void, what: string): void {
  replace(button, icon(ok ? 'check' : 'alert'), h('span', null, ok ? 'Copied' : 'Copy failed'));
  announce(ok ? `Copied ${what} to the clipboard.` : `Could not copy ${what}.`);
  setTimeout(() => replace(button, idleIcon ? icon(idleIcon) : null, h('span', null, idleLabel)), CONFIRM_MS);
}
