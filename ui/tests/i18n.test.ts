import { describe, expect, it } from 'vitest';
import { en } from '../src/lib/i18n/en';
import { ru } from '../src/lib/i18n/ru';
import { followRootLang, i18n, interpolate, systemLang, translate } from '../src/lib/i18n/index.svelte';
import { errorText } from '../src/lib/errors';
import { AppError, type AppErrorCode } from '../src/lib/ipc';

/**
 * Every code an error crosses IPC with. `satisfies` holds this list to the union generated from
 * Rust (`npm run check` fails when a code is added or removed there and not here).
 */
const CODES = {
  bad_request: 1, invalid_input: 1, invalid_phone: 1, payload_too_large: 1, not_found: 1, method_not_allowed: 1,
  unauthorized: 1, session_inactive: 1, session_revoked: 1, invalid_refresh_token: 1, wrong_credentials: 1,
  password_locked: 1, unknown_account: 1, captcha_wrong: 1, captcha_expired: 1, code_wrong: 1, code_expired: 1,
  rate_limited: 1, sms_login_unavailable: 1, call_support: 1, not_on_net: 1, identity_header_refused: 1,
  weak_password: 1, fresh_proof_required: 1, agreement_required: 1, social_not_linked: 1, social_wrong_credentials: 1, insufficient_funds: 1,
  already_connected: 1, not_connected: 1, already_linked: 1, not_linked: 1, card_declined: 1,
  payment_step_required: 1, disposable_email: 1, no_recovery_email: 1, mailbox_full: 1, number_blocked: 1,
  conflict: 1, injected_fault: 1, internal: 1,
  unreachable: 1, keyring_unavailable: 1, cache: 1, not_signed_in: 1, protocol: 1, io: 1, unlock_refused: 1, busy: 1, operator_damaged: 1,
  ipc: 1, unknown: 1,
} satisfies Record<AppErrorCode, 1>;

describe('i18n', () => {
  it("follows the root's lang when it is changed from outside the settings (issue 16: the harness checks both languages)", async () => {
    i18n.set('en');
    const observer = followRootLang();
    document.documentElement.lang = 'ru';
    await new Promise((r) => setTimeout(r, 0));
    expect(i18n.lang).toBe('ru');
    document.documentElement.lang = 'de';
    await new Promise((r) => setTimeout(r, 0));
    expect(i18n.lang, 'a language the app does not have is ignored').toBe('ru');
    observer.disconnect();
    i18n.set('en');
  });
  it('has every key in both languages, none empty', () => {
    const enKeys = Object.keys(en).sort();
    expect(Object.keys(ru).sort()).toEqual(enKeys);
    for (const k of enKeys) {
      expect(en[k as keyof typeof en].trim(), k).not.toBe('');
      expect(ru[k as keyof typeof ru].trim(), k).not.toBe('');
    }
  });
  it('uses the same parameters in both languages', () => {
    const params = (s: string) => [...s.matchAll(/\{(\w+)/g)].map((m) => m[1]).sort();
    for (const k of Object.keys(en) as (keyof typeof en)[]) expect(params(ru[k]), k).toEqual(params(en[k]));
  });
  it('has a sentence for every error code the operator, the core and the bridge send', () => {
    for (const c of Object.keys(CODES)) expect(Object.keys(en), c).toContain(`err.${c}`);
  });
  it('picks plural forms per language', () => {
    expect(interpolate('{n|# attempt|# attempts} left', 'en', { n: 1 })).toBe('1 attempt left');
    expect(interpolate('{n|# attempt|# attempts} left', 'en', { n: 2 })).toBe('2 attempts left');
    const ruT = '{n|# попытка|# попытки|# попыток}';
    expect(interpolate(ruT, 'ru', { n: 1 })).toBe('1 попытка');
    expect(interpolate(ruT, 'ru', { n: 2 })).toBe('2 попытки');
    expect(interpolate(ruT, 'ru', { n: 5 })).toBe('5 попыток');
    expect(interpolate(ruT, 'ru', { n: 21 })).toBe('21 попытка');
  });
  it('follows the system language', () => {
    expect(systemLang({ languages: ['ru-RU', 'en'] })).toBe('ru');
    expect(systemLang({ language: 'de-DE' })).toBe('en');
  });
  it('says what to do for an error, with attempts left', () => {
    expect(translate('en', 'err.unreachable')).toMatch(/connection/);
    const e = new AppError({ code: 'wrong_credentials', attempts_left: 2 });
    expect(errorText(e)).toBe('Wrong password. 2 attempts left before login is locked.');
    expect(errorText(new AppError({ code: 'rate_limited', retry_after_s: 42 }))).toBe('The code is on its way. You can ask for it again in 0:42.');
    // A code this UI does not know yet (a newer shell) still gets a sentence.
    expect(errorText(new AppError({ code: 'something_new' as AppErrorCode }))).toBe(translate('en', 'err.unknown'));
  });
});
