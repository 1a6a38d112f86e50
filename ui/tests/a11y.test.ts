// Accessibility that jsdom can judge (issue 16): names that contain what a control shows (WCAG
// 2.5.3, for speech input), and the tabs pattern (one tab stop, ←/→, aria-selected, aria-controls).
// axe-core in the real window checks the rest (tests/e2e, docs/accessibility.md).
import { describe, expect, it } from 'vitest';
import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { computeAccessibleName } from 'dom-accessibility-api';
import App from '../src/App.svelte';
import { app, applyBoot } from '../src/lib/store.svelte';
import { boot, cached, mockShell, overview } from './helpers';

const captcha = () => ({ id: 'c1', png_base64: 'iVBORw0KGgo=', expires_in_s: 120 });
const BORIS = { login: '+79261234567', kind: 'mobile' as const, name: 'Boris Ivanov' };

/** The text a sighted user sees on an element: its text without aria-hidden parts or visually
 *  hidden (`.sr-only`) words. */
function visibleText(el: Element): string {
  let out = '';
  for (const n of el.childNodes) {
    if (n.nodeType === Node.TEXT_NODE) out += n.textContent ?? '';
    else if (n instanceof Element && n.getAttribute('aria-hidden') !== 'true' && !n.classList.contains('sr-only')) out += visibleText(n);
  }
  return out;
}
const words = (s: string) => s.replace(/[^\p{L}\p{N}]+/gu, ' ').trim().toLowerCase();

/** Every button: a name with a word in it, which contains the words it shows. */
function expectLabelsInNames() {
  const buttons = screen.getAllByRole('button');
  expect(buttons.length).toBeGreaterThan(0);
  for (const b of buttons) {
    const name = computeAccessibleName(b);
    const shown = visibleText(b);
    const what = `${b.getAttribute('data-testid') ?? b.outerHTML.slice(0, 80)} named ${JSON.stringify(name)}, showing ${JSON.stringify(shown)}`;
    expect(words(name), what).not.toBe('');
    expect(words(name).includes(words(shown)), what).toBe(true);
    if (words(shown) === '') expect(shown.trim(), `${what}: a symbol as the only text`).toBe('');
  }
}

/** Every tablist: the selected tab is the one tab stop and controls a panel labelled by it. */
function expectTabsPattern() {
  const lists = screen.getAllByRole('tablist');
  for (const list of lists) {
    const tabs = [...list.querySelectorAll<HTMLElement>('[role="tab"]')];
    const selected = tabs.filter((t) => t.getAttribute('aria-selected') === 'true');
    expect(selected, list.outerHTML.slice(0, 120)).toHaveLength(1);
    expect(tabs.filter((t) => t.tabIndex === 0)).toEqual(selected);
    for (const t of tabs) {
      const panel = document.getElementById(t.getAttribute('aria-controls') ?? '');
      expect(panel?.getAttribute('role'), `${t.id} controls a tabpanel`).toBe('tabpanel');
    }
    const panel = document.getElementById(selected[0]?.getAttribute('aria-controls') ?? '');
    expect(panel?.getAttribute('aria-labelledby')).toBe(selected[0]?.id);
  }
  return lists.length;
}

function signedIn() {
  const home = cached(overview(), true);
  applyBoot(boot({ home, accounts: [home.value.account, BORIS] }));
  app.signedIn = true;
}

describe('Accessibility (issue 16)', () => {
  it('the account switcher is named by the number it shows, then what it does; its list is plain buttons', async () => {
    mockShell({});
    signedIn();
    render(App);
    const switcher = screen.getByTestId('account-switcher');
    expect(computeAccessibleName(switcher)).toBe('+7 916 123-45-67 Switch account');
    expect(switcher.getAttribute('aria-expanded')).toBe('false');
    await fireEvent.click(switcher);
    const menu = screen.getByTestId('account-menu');
    expect(switcher.getAttribute('aria-controls')).toBe(menu.id);
    expect(screen.getByTestId('account-option-+79161234567').getAttribute('aria-current')).toBe('true');
    expect(screen.getByTestId('account-option-+79261234567').getAttribute('aria-current')).toBeNull();
    expectLabelsInNames();
    await fireEvent.keyDown(screen.getByTestId('account-option-+79261234567'), { key: 'Escape' });
    expect(screen.queryByTestId('account-menu')).toBeNull();
    expect(document.activeElement).toBe(switcher);
  });

  it('login, password and SMS password: every button names what it shows, both sets of tabs follow one pattern', async () => {
    mockShell({ captcha, clock_check: () => ({ operator_ms: 0, device_ms: 0, skew_ms: 0, warn: false }) });
    applyBoot(boot({ account: null, home: null, accounts: [] }));
    render(App);
    expect(expectTabsPattern()).toBe(2);
    expectLabelsInNames();
    const password = screen.getByTestId('login-method-password');
    password.focus();
    await fireEvent.keyDown(password, { key: 'ArrowRight' });
    const sms = screen.getByTestId('login-method-sms');
    expect(sms.getAttribute('aria-selected')).toBe('true');
    expect(document.activeElement).toBe(sms);
    await waitFor(() => screen.getByTestId('sms-captcha-image'));
    expect(expectTabsPattern()).toBe(2);
    expectLabelsInNames();
    expect(computeAccessibleName(screen.getByTestId('sms-captcha-refresh'))).toBe('Another picture');
    // Wraps round, and Home/End reach the ends.
    await fireEvent.keyDown(sms, { key: 'ArrowRight' });
    expect(password.getAttribute('aria-selected')).toBe('true');
    await fireEvent.keyDown(password, { key: 'End' });
    expect(sms.getAttribute('aria-selected')).toBe('true');
    const kinds = screen.getByTestId('login-tab-mobile');
    kinds.focus();
    await fireEvent.keyDown(kinds, { key: 'ArrowLeft' });
    expect(screen.getByTestId('login-tab-banking').getAttribute('aria-selected')).toBe('true');
    expect(document.activeElement).toBe(screen.getByTestId('login-tab-banking'));
  });

  it('the phone drawer and the mailbox: names and tabs', async () => {
    mockShell({
      phone_inbox: () => [],
      phone_state: () => ({ number: '+79161234567', airplane: false, spam_blocker: false, on_net: false }),
      mailbox: () => ({ state: { address: 'anna@mail.example', quota_bytes: 2000 * 1048576, used_bytes: 0, filters: [], bounced: 0 }, messages: [] }),
    });
    signedIn();
    render(App);
    screen.getByTestId('phone-open').click();
    await waitFor(() => screen.getByTestId('phone-empty'), { timeout: 5000 });
    expect(expectTabsPattern()).toBe(1);
    expectLabelsInNames();
    const sms = screen.getByTestId('phone-tab-sms');
    await fireEvent.keyDown(sms, { key: 'ArrowRight' });
    await waitFor(() => screen.getByTestId('mail-empty'));
    expect(expectTabsPattern()).toBe(2);
    expectLabelsInNames();
    expect(computeAccessibleName(screen.getByTestId('phone-close'))).toBe('Close');
  });

  it('a dialog: its close button says Close', async () => {
    mockShell({});
    signedIn();
    render(App);
    screen.getByTestId('home-topup').click();
    await waitFor(() => screen.getByTestId('topup-dialog'));
    expect(computeAccessibleName(screen.getByTestId('dialog-close'))).toBe('Close');
    expectLabelsInNames();
  });
});
