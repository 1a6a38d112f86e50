// Every error notice carries the stable code of the error it shows as `data-code` (issue 13,
// item 16; ui/TESTIDS.md), so WebDriver and these tests tell refusals apart without reading the
// sentence. Each notice is brought up on screen by a failing shell double and read back; the
// source is then scanned so that a notice added later without a scenario here fails too.
import { describe, expect, it } from 'vitest';
import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import App from '../src/App.svelte';
import { app, applyBoot, navigate, refreshHome } from '../src/lib/store.svelte';
import type { AppErrorCode } from '../src/lib/ipc';
import { boot, cached, fail, mockShell, overview, type Handler } from './helpers';

type Scenario = {
  /** The notice's test id (on the notice, or on the sentence inside it). */
  id: string;
  /** The code the failing double answers, or the one a mistake found before sending carries. */
  code: AppErrorCode;
  why: string;
  /** Signed in, signed out, or a locked start on a device with a fingerprint reader (AUTH-14). */
  start: 'in' | 'out' | 'locked';
  shell: Record<string, Handler>;
  act: () => Promise<unknown>;
};

const el = (testid: string) => screen.getByTestId(testid);
const type = (testid: string, value: string) => fireEvent.input(el(testid), { target: { value } });
const click = async (testid: string) => {
  await waitFor(() => el(testid));
  el(testid).click();
};
const captcha = () => ({ id: 'c1', png_base64: 'iVBORw0KGgo=', expires_in_s: 120 });
const phone = { phone_inbox: () => [], phone_state: () => ({ number: '+79161234567', airplane: false, spam_blocker: false, on_net: false }) };
const noMatter = () => null;
const none = { count: 0, duration_s: 0, volume_kb: 0, cost_kop: 0 };

const SCENARIOS: Scenario[] = [
  // Signed out: the login screen.
  { id: 'login-phone-error', code: 'invalid_phone', why: 'a number that is no phone', start: 'out', shell: {},
    act: async () => { await type('login-phone', '12'); await type('login-password', 'x'); await click('login-submit'); } },
  { id: 'login-password-error', code: 'invalid_input', why: 'an empty password', start: 'out', shell: {},
    act: async () => { await type('login-phone', '9161234567'); await click('login-submit'); } },
  { id: 'login-error', code: 'wrong_credentials', why: 'a wrong password', start: 'out', shell: { login_password: () => fail('wrong_credentials', { attempts_left: 2 }) },
    act: async () => { await type('login-phone', '9161234567'); await type('login-password', 'nope'); await click('login-submit'); } },
  { id: 'login-locked', code: 'password_locked', why: 'password login locked', start: 'out', shell: { login_password: () => fail('password_locked') },
    act: async () => { await type('login-phone', '9161234567'); await type('login-password', 'nope'); await click('login-submit'); } },
  { id: 'sms-captcha-error', code: 'unreachable', why: 'the captcha picture could not be had', start: 'out', shell: { captcha: () => fail('unreachable') },
    act: () => click('login-method-sms') },
  { id: 'trouble-phone-error', code: 'invalid_input', why: '"Code not arriving?" with no number', start: 'out', shell: {},
    act: () => click('sms-not-arriving') },
  { id: 'trouble-111-error', code: 'weak_password', why: 'the 111 command refused', start: 'out',
    shell: { troubleshoot: () => ({ findings: [], alternatives: [] }), request_password_by_111: () => fail('weak_password') },
    act: async () => { await type('login-phone', '9161234567'); await click('sms-not-arriving'); await waitFor(() => el('trouble-111-password')); await type('trouble-111-password', 'Hello123'); await click('trouble-111-send'); } },
  { id: 'login-contract-error', code: 'invalid_input', why: 'a contract login with no contract number', start: 'out', shell: {},
    act: async () => { await click('login-tab-home'); await waitFor(() => el('login-contract')); await type('login-password', 'x'); await click('login-submit'); } },
  { id: 'login-password-error', code: 'invalid_input', why: 'a 5,000-character banking password', start: 'out', shell: {},
    act: async () => { await click('login-tab-banking'); await waitFor(() => el('login-contract')); await type('login-contract', 'bank-ivanov'); await type('login-password', 'x'.repeat(5000)); await click('login-submit'); } },
  { id: 'recovery-captcha-error', code: 'unreachable', why: 'the recovery captcha could not be had', start: 'out', shell: { captcha: () => fail('unreachable') },
    act: async () => { await click('login-tab-home'); await type('login-contract', '7700123456'); await click('login-forgot'); } },
  { id: 'recovery-error', code: 'captcha_wrong', why: 'a recovery request refused', start: 'out', shell: { captcha, request_recovery: () => fail('captcha_wrong') },
    act: async () => { await click('login-tab-home'); await type('login-contract', '7700123456'); await click('login-forgot'); await waitFor(() => el('recovery-captcha-image')); await type('recovery-captcha-input', 'abc'); await click('recovery-send'); } },
  { id: 'login-error', code: 'social_wrong_credentials', why: 'a social login refused', start: 'out', shell: { login_social: () => fail('social_wrong_credentials') },
    act: async () => { await click('login-social'); await waitFor(() => el('social-username')); await type('social-username', 'boris'); await type('social-password', 'nope'); await click('social-submit'); } },
  { id: 'unlock-error', code: 'unlock_refused', why: 'the fingerprint check did not pass', start: 'locked', shell: { autologin: () => fail('unlock_refused') },
    act: () => click('unlock-button') },

  // Signed in.
  { id: 'topup-error', code: 'invalid_input', why: 'a card number too short, found before sending', start: 'in', shell: {},
    act: async () => { await click('home-topup'); await type('topup-card', '4000'); await click('topup-submit'); } },
  { id: 'topup-error', code: 'card_declined', why: 'a declined card', start: 'in', shell: { topup: () => fail('card_declined') },
    act: async () => { await click('home-topup'); await type('topup-card', '4000000000000002'); await click('topup-submit'); } },
  { id: 'topup-error', code: 'code_wrong', why: "a wrong code at the bank's second step", start: 'in',
    shell: { topup: () => ({ payment_id: 'p1', status: 'action_required', balance_kop: 0 }), topup_confirm: () => fail('code_wrong') },
    act: async () => { await click('home-topup'); await type('topup-card', '4000000000003220'); await click('topup-submit'); await waitFor(() => el('topup-code')); await type('topup-code', '111111'); await click('topup-confirm'); } },
  { id: 'home-error', code: 'internal', why: 'no home data at all', start: 'in', shell: { home: () => fail('internal') },
    act: async () => { app.home = null; await refreshHome(true); } },
  { id: 'home-refresh-error', code: 'internal', why: 'a refresh failed under cached data', start: 'in', shell: { home: () => fail('internal') },
    act: () => refreshHome(true) },
  { id: 'tariff-error', code: 'insufficient_funds', why: 'a tariff change refused', start: 'in',
    shell: { tariffs: () => cached({ current_id: 'smart', tariffs: [{ id: 'max', name: 'Max', description: 'd', monthly_fee_kop: 90000, change_fee_kop: 0, minutes: 1, sms: 1, data_mb: 1 }] }), change_tariff: () => fail('insufficient_funds') },
    act: async () => { navigate('tariffs'); await click('tariff-change-max'); } },
  { id: 'service-error', code: 'already_connected', why: 'a service connection refused', start: 'in',
    shell: { services: () => cached({ services: [{ id: 'tv', name: 'TV', description: 'd', connect_fee_kop: 0, monthly_fee_kop: 0, connected: false }], monthly_total_kop: 0 }), connect_service: () => fail('already_connected') },
    act: async () => { navigate('services'); await click('service-connect-tv'); } },
  { id: 'detail-error', code: 'io', why: 'the CSV could not be written', start: 'in',
    shell: { calls_page: () => cached({ records: [], totals: { all: none, call: none, sms: none, data: none } }), calls_sync: () => 0, calls_monthly: () => [], calls_export_csv: () => fail('io') },
    act: async () => { await click('tab-detail'); await click('detail-export'); } },
  { id: 'password-error', code: 'weak_password', why: 'a weak new password', start: 'in',
    shell: { password_strength: () => ({ score: 1, ok: false, problems: [] }), change_password: () => fail('weak_password') },
    act: async () => { navigate('settings'); await waitFor(() => el('settings-new-password')); await type('settings-new-password', 'Hello123'); await type('settings-repeat-password', 'Hello123'); await click('settings-password-submit'); } },
  { id: 'password-error', code: 'invalid_input', why: 'the new passwords differ, found before sending', start: 'in', shell: { password_strength: () => ({ score: 4, ok: true, problems: [] }) },
    act: async () => { navigate('settings'); await waitFor(() => el('settings-new-password')); await type('settings-new-password', 'Harbor2026Quill'); await type('settings-repeat-password', 'Harbor2026Quil'); await click('settings-password-submit'); } },
  { id: 'email-error', code: 'disposable_email', why: 'a throwaway recovery address', start: 'in', shell: { set_recovery_email: () => fail('disposable_email') },
    act: async () => { navigate('settings'); await waitFor(() => el('settings-email')); await type('settings-email', 'x@mailinator.com'); await click('settings-email-save'); } },
  { id: 'forget-error', code: 'keyring_unavailable', why: 'the keyring could not forget', start: 'in', shell: { forget_device: () => fail('keyring_unavailable') },
    act: async () => { navigate('settings'); await waitFor(() => el('settings-remember')); await fireEvent.click(el('settings-remember')); await click('forget-confirm'); } },
  { id: 'operator-error', code: 'invalid_input', why: 'a bad operator address', start: 'in', shell: { settings_set: () => fail('invalid_input') },
    act: async () => { navigate('settings'); await waitFor(() => el('settings-operator-url')); await type('settings-operator-url', 'ftp://x'); await click('settings-operator-save'); } },
  { id: 'settings-social-error', code: 'social_wrong_credentials', why: 'a social account not linked', start: 'in', shell: { social_links: () => [], link_social: () => fail('social_wrong_credentials') },
    act: async () => { navigate('settings'); await waitFor(() => el('settings-social-username')); await type('settings-social-username', 'anna'); await type('settings-social-password', 'nope'); await click('settings-social-link'); } },
  { id: 'sessions-msg', code: 'unreachable', why: 'other sessions not signed out', start: 'in', shell: { device_sessions: () => [], activity: () => ({ entries: [], next_before: null }), revoke_other_sessions: () => fail('unreachable') },
    act: async () => { navigate('activity'); await click('sign-out-others'); } },
  { id: 'block-error', code: 'unreachable', why: 'the number could not be blocked', start: 'in', shell: { block_number: () => fail('unreachable') },
    act: async () => { navigate('block'); await click('block-number'); await click('block-confirm'); } },
  { id: 'linked-error', code: 'wrong_credentials', why: "a wrong password for the other number", start: 'in', shell: { links: () => [], incoming_links: () => [], add_link: () => fail('wrong_credentials') },
    act: async () => { navigate('linked'); await waitFor(() => el('linked-login')); await type('linked-login', '+79161234568'); await type('linked-password', 'nope'); await click('linked-add'); } },
  { id: 'topbar-error', code: 'not_linked', why: 'the account switcher could not switch', start: 'in', shell: { switch_account: () => fail('not_linked') },
    act: async () => {
      app.accounts = [...app.accounts, { login: '+79161234568', kind: 'mobile', name: 'Boris Ivanov' }];
      await click('account-switcher');
      await click('account-option-+79161234568');
    } },
  { id: 'agreement-error', code: 'unreachable', why: 'accepting the agreement failed', start: 'in',
    shell: { agreement: () => ({ version: 3, title: 'System Use Agreement', text: 'Terms…' }), accept_agreement: () => fail('unreachable') },
    act: async () => { app.route = 'agreement'; await click('agreement-accept'); } },
  { id: 'phone-switch-error', code: 'unreachable', why: "a phone switch that did not flip", start: 'in', shell: { ...phone, set_phone_state: () => fail('unreachable') },
    act: async () => { await click('phone-open'); await waitFor(() => el('phone-airplane')); await fireEvent.click(el('phone-airplane')); } },
  { id: 'phone-send-error', code: 'invalid_input', why: 'an SMS the phone could not send', start: 'in', shell: { ...phone, phone_send: () => fail('invalid_input') },
    act: async () => { await click('phone-open'); await waitFor(() => el('phone-compose-text')); await type('phone-compose-text', '25 Kettle7Orbit'); await click('phone-send'); } },
  { id: 'mail-error', code: 'not_found', why: 'a letter that could not be deleted', start: 'in',
    shell: {
      ...phone,
      watch_mailbox: noMatter,
      mailbox: () => ({ state: { address: 'anna@mail.example', quota_bytes: 2000, used_bytes: 10, filters: [], bounced: 0 }, messages: [{ id: 1, folder: 'inbox', from: 'x@mail.example', subject: 'S', body: '', attachment: null, received_ms: Date.now() }] }),
      mail_delete: () => fail('not_found'),
    },
    act: async () => { await click('phone-open'); await click('phone-tab-mail'); await click('mail-delete'); } },
];

/** Every error notice on screen whose notice carries no code: its test id, or its markup. */
function unmarked(): string[] {
  const notices = document.querySelectorAll<HTMLElement>('[data-testid$="-error"], .notice.error');
  return [...notices].filter((n) => !n.closest('[data-code]')?.getAttribute('data-code')).map((n) => n.dataset.testid ?? n.outerHTML.slice(0, 120));
}

describe('data-code on every error notice (issue 13, item 16)', () => {
  it.each(SCENARIOS.map((s) => [`${s.id}: ${s.why}`, s] as const))('%s', async (_, s) => {
    mockShell(s.shell);
    if (s.start === 'in') {
      applyBoot(boot({ home: cached(overview(), true) }));
      app.signedIn = true;
    } else if (s.start === 'out') {
      applyBoot(boot({ account: null, home: null, accounts: [] }));
    } else {
      applyBoot(boot({ locked: true, home: null, app: { ...boot().app, biometric: true } }));
    }
    render(App);
    await s.act();
    await waitFor(() => el(s.id));
    const notice = el(s.id).closest<HTMLElement>('[data-code]');
    expect(notice?.dataset.code, `${s.id} carries the code of its error`).toBe(s.code);
    expect(unmarked(), 'error notices on screen without data-code').toEqual([]);
  });

  it('every error notice in the source is brought up above, and none is written without its code', () => {
    const sources = import.meta.glob<string>('../src/**/*.svelte', { query: '?raw', import: 'default', eager: true });
    expect(Object.keys(sources).length).toBeGreaterThan(30);
    const ids = new Set<string>();
    const uncoded: string[] = [];
    for (const [file, src] of Object.entries(sources)) {
      // The test ids a file gives (`testid="x"`, `data-testid="x"`, or literals in `testid={…}`).
      for (const m of src.matchAll(/testid=(?:"([^"]*)"|\{([^}]*)\})/g)) {
        const literals = m[1] !== undefined ? [m[1]] : [...(m[2] ?? '').matchAll(/'([^']*)'/g)].map((l) => l[1] ?? '');
        for (const id of literals) if (id.endsWith('-error')) ids.add(id);
      }
      // A Notice that can be an error must say its code: `code={…}` or `{code}`.
      for (const m of src.matchAll(/<Notice\b([^>]*)>/g)) {
        const attrs = m[1] ?? '';
        if (/kind="error"|kind=\{[^}]*'error'/.test(attrs) && !/\bcode=|\{code\}/.test(attrs)) uncoded.push(`${file}: <Notice${attrs}>`);
      }
      // Error markup of its own (not a Notice) carries `data-code` itself.
      for (const m of src.matchAll(/<(?!Notice\b)[a-z][^>]*(?:class="notice error"|role="alert")[^>]*>/g)) {
        if (!/data-code=/.test(m[0])) uncoded.push(`${file}: ${m[0]}`);
      }
    }
    expect(uncoded, 'error notices written without a code').toEqual([]);
    // A test id made at run time (`{testid}-error`) is covered when some scenario matches it.
    const covered = (id: string) => {
      const re = new RegExp(`^${id.replace(/\{[^}]*\}/g, '[a-z0-9-]+')}$`);
      return SCENARIOS.some((s) => re.test(s.id));
    };
    expect([...ids].filter((id) => !covered(id)), 'error test ids with no scenario above').toEqual([]);
    // The scan found the notices this file brings up (so the scan itself still reads the source).
    expect(ids.has('topup-error') && ids.has('{testid}-error') && ids.has('login-password-error')).toBe(true);
  });
});
