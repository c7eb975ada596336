/**
 * The embeddable widget served at `GET /widget.js`:
 *
 *   <script src="https://host/widget.js" data-title="Ask the papers" data-accent="#4f46e5"
 *           data-position="right" data-theme="auto" defer></script>
 *
 * adds a launcher button and a chat panel inside a shadow root (styles isolated both ways), talks
 * to the API of the origin the script came from, keeps the conversation in sessionStorage, and
 * exposes `window.PaperChat.open() / .close() / .toggle() / .ask(question) / .reset()`.
 */
import { chatCss } from './lib/styles.js';
import css from './widget.css';
import { createChat } from './lib/chat.js';
import { h, icon, iconButton, replace, setAttrs } from './lib/dom.js';
import { EXAMPLES } from './lib/examples.js';
import { createPaperView } from './lib/paper.js';

export interface PaperChatApi {
  open(): void;
  close(): void;
  toggle(): void;
  ask(question: string): void;
  reset(): void;
}

declare global {
  interface Window {
    PaperChat?: PaperChatApi;
  }
}

interface Ui {
  open(focus: boolean): void;
  close(): void;
  isOpen(): boolean;
  ask(q: string): void;
  reset(): void;
}

/** Relative luminance (0..1) of a CSS colour, or null when the browser reports it in a form not parsed here. */
function luminance(el: HTMLElement, color: string): number | null {
  el.style.color = color;
  const m = /^rgba?\(([\d.]+),\s*([\d.]+),\s*([\d.]+)/.exec(getComputedStyle(el).color);
  el.style.color = '';
  if (!m) return null;
  const lin = (v: string) => {
    const c = Number(v) / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * lin(m[1]!) + 0.7152 * lin(m[2]!) + 0.0722 * lin(m[3]!);
}

function storage(key: string, value?: string | null): string | null {
  try {
    if (value === undefined) return sessionStorage.getItem(key);
    if (value === null) sessionStorage.removeItem(key);
    else sessionStorage.setItem(key, value);
  } catch {
    /* storage blocked */
  }
  return null;
}

(() => {
  if (window.PaperChat) return; // the script was included twice
  const script = document.currentScript instanceof HTMLScriptElement ? document.currentScript : document.querySelector<HTMLScriptElement>('script[src*="widget.js"]');
  const base = new URL(script?.src || location.href, location.href).origin;
  const data: DOMStringMap = script?.dataset ?? {};
  const title = (data.title || 'Ask the papers').trim().slice(0, 80);
  const accent = data.accent && CSS.supports('color', data.accent) ? data.accent : '#4f46e5';
  const themeSetting = data.theme === 'light' || data.theme === 'dark' ? data.theme : 'auto';
  const openKey = `paperchat:widget-open:${base}`;

  let ui: Ui | null = null;
  const pending: ((ui: Ui) => void)[] = [];
  const run = (fn: (ui: Ui) => void) => (ui ? fn(ui) : pending.push(fn));

  window.PaperChat = {
    open: () => run((u) => u.open(true)),
    close: () => run((u) => u.close()),
    toggle: () => run((u) => (u.isOpen() ? u.close() : u.open(true))),
    ask: (question: string) =>
      run((u) => {
        u.open(false);
        u.ask(String(question ?? ''));
      }),
    reset: () => run((u) => u.reset()),
  };

  function init() {
    const host = document.createElement('paper-chat-widget');
    const shadow = host.attachShadow({ mode: 'open' });
    try {
      // Constructed sheets are not subject to the host page's style-src CSP.
      const sheet = new CSSStyleSheet();
      sheet.replaceSync(chatCss + css);
      shadow.adoptedStyleSheets = [sheet];
    } catch {
      shadow.appendChild(h('style', null, chatCss + css));
    }

    const launcher = h('button', { type: 'button', class: 'pc-launcher', 'aria-controls': 'pcw-panel', 'aria-expanded': 'false' });
    const newButton = iconButton('plus', 'New conversation', 'pc-icon-btn', true);
    const closeButton = iconButton('close', 'Close chat', 'pc-icon-btn', true);
    const paper = createPaperView({ base, idPrefix: 'pcw', closeLabel: 'Back to the conversation', closeIcon: 'back' });
    const chat = createChat({
      base,
      storageKey: `paperchat:widget:${base}`,
      idPrefix: 'pcw',
      examples: EXAMPLES.slice(0, 3),
      emptyTitle: 'What do the papers say?',
      emptyText: 'Answers come from research-paper abstracts, each claim with a numbered citation.',
      placeholder: 'Ask a question…',
      openPaper: (ref, trigger) => paper.open(ref, trigger),
      onState: ({ turns }) => (newButton.disabled = turns === 0),
    });
    const panel = h(
      'div',
      { class: 'pc-panel', id: 'pcw-panel', role: 'dialog', 'aria-modal': 'false', 'aria-labelledby': 'pcw-title', hidden: true },
      h(
        'div',
        { class: 'pc-w-head' },
        h('span', { class: 'pc-w-mark', 'aria-hidden': 'true' }, icon('doc')),
        h('h2', { class: 'pc-w-title', id: 'pcw-title' }, title),
        newButton,
        closeButton,
      ),
      h('div', { class: 'pc-w-body' }, chat.scroller, paper.el),
      chat.composer,
    );
    const root = h('div', { class: 'pc-w pc-root', 'data-position': data.position === 'left' ? 'left' : 'right' }, launcher, panel);
    shadow.appendChild(root);
    document.body.appendChild(host);

    // Accent: text on it, and an "ink" shade readable on light and dark backgrounds.
    root.style.setProperty('--pc-accent', accent);
    const lum = luminance(root, accent) ?? 0.1;
    root.style.setProperty('--pc-accent-fg', lum > 0.45 ? '#111827' : '#ffffff');
    root.style.setProperty('--pc-ink-light', lum > 0.35 ? `color-mix(in srgb, ${accent} 50%, #000)` : accent);
    root.style.setProperty('--pc-ink-dark', lum < 0.3 ? `color-mix(in srgb, ${accent} 45%, #fff)` : accent);

    const dark = matchMedia('(prefers-color-scheme: dark)');
    const applyTheme = () => root.setAttribute('data-theme', themeSetting === 'auto' ? (dark.matches ? 'dark' : 'light') : themeSetting);
    applyTheme();
    dark.addEventListener?.('change', applyTheme);

    const isOpen = () => !panel.hidden;

    // Full screen on small screens (widget.css): then the panel is a modal dialog. The page behind
    // is inert (no focus, no clicks, hidden from screen readers) and Tab cycles inside the panel.
    const small = matchMedia('(max-width: 480px)');
    const madeInert: Element[] = [];
    function setModal() {
      const modal = isOpen() && small.matches;
      panel.setAttribute('aria-modal', String(modal));
      if (modal && !madeInert.length) {
        for (const el of document.body.children) {
          if (el !== host && !el.hasAttribute('inert') && !/^(SCRIPT|STYLE|LINK)$/.test(el.tagName)) {
            el.setAttribute('inert', '');
            madeInert.push(el);
          }
        }
      } else if (!modal) for (const el of madeInert.splice(0)) el.removeAttribute('inert');
    }
    small.addEventListener?.('change', setModal);
    panel.addEventListener('keydown', (e) => {
      if (e.key !== 'Tab' || panel.getAttribute('aria-modal') !== 'true') return;
      const focusable = [...panel.querySelectorAll<HTMLElement>('button, [href], textarea, input, select, [tabindex]:not([tabindex="-1"])')].filter(
        (el) => !(el as HTMLButtonElement).disabled && el.getClientRects().length > 0,
      );
      const first = focusable[0];
      const last = focusable[focusable.length - 1];
      const active = shadow.activeElement;
      if (e.shiftKey && (active === first || !panel.contains(active))) {
        e.preventDefault();
        last?.focus();
      } else if (!e.shiftKey && (active === last || !panel.contains(active))) {
        e.preventDefault();
        first?.focus();
      }
    });
    function setLauncher() {
      replace(launcher, icon(isOpen() ? 'close' : 'chat'));
      const label = `${isOpen() ? 'Close' : 'Open'} ${title}`;
      setAttrs(launcher, { 'aria-expanded': String(isOpen()), 'aria-label': label, title: label });
      root.toggleAttribute('data-open', isOpen());
      setModal();
    }
    function open(focus: boolean) {
      if (!isOpen()) {
        panel.hidden = false;
        setLauncher();
        storage(openKey, '1');
        chat.scroller.scrollTop = chat.scroller.scrollHeight;
      }
      if (focus) chat.input.focus();
    }
    function close() {
      if (!isOpen()) return;
      const hadFocus = panel.contains(shadow.activeElement);
      paper.close();
      panel.hidden = true;
      setLauncher();
      storage(openKey, null);
      if (hadFocus || shadow.activeElement) launcher.focus();
    }

    launcher.addEventListener('click', () => (isOpen() ? close() : open(true)));
    closeButton.addEventListener('click', close);
    newButton.addEventListener('click', () => {
      paper.close();
      chat.reset();
    });
    panel.addEventListener('keydown', (e) => {
      if (e.key === 'Escape') close();
    });

    setLauncher();
    if (storage(openKey) === '1') open(false);
    ui = { open, close, isOpen, ask: chat.ask, reset: chat.reset };
    for (const fn of pending.splice(0)) fn(ui);
  }

  if (document.body) init();
  else document.addEventListener('DOMContentLoaded', init, { once: true });
})();
