import { describe, expect, it } from 'vitest';
import { en } from '../src/lib/i18n/en';
import { ru } from '../src/lib/i18n/ru';
import { interpolate, systemLang, translate } from '../src/lib/i18n/index.svelte';
import { errorText } from '../src/lib/errors';
import { AppError } from '../src/lib/ipc';

const PROTO_CODES = [
  'bad_request', 'invalid_input', 'invalid_phone', 'payload_too_large', 'not_found', 'method_not_allowed', 'unauthorized',
  'session_inactive', 'session_revoked', 'invalid_refresh_token', 'wrong_credentials', 'password_locked', 'unknown_account',
  'captcha_wrong', 'captcha_expired', 'code_wrong', 'code_expired', 'rate_limited', 'sms_login_unavailable', 'call_support',
  'not_on_net', 'identity_header_refused', 'weak_password', 'agreement_required', 'social_not_linked', 'social_wrong_credentials',
  'insufficient_funds', 'already_connected', 'not_connected', 'already_linked', 'not_linked', 'card_declined',
  'payment_step_required', 'disposable_email', 'no_recovery_email', 'mailbox_full', 'number_blocked', 'conflict',
  'injected_fault', 'internal',
];
const CORE_CODES = ['unreachable', 'keyring_unavailable', 'cache', 'invalid_input', 'not_signed_in', 'session_inactive', 'protocol', 'io', 'unlock_refused'];

describe('i18n', () => {
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
  it('has a sentence for every error code the operator and the core send', () => {
    for (const c of [...PROTO_CODES, ...CORE_CODES]) expect(Object.keys(en), c).toContain(`err.${c}`);
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
    expect(errorText(new AppError({ code: 'something_new' }))).toBe(translate('en', 'err.unknown'));
  });
});
