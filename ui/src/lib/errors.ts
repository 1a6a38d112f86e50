// The sentence for an error: by its stable code, in the user's language, saying what to do.
import { AppError } from './ipc';
import { clock } from './format';
import { hasKey, t } from './i18n/index.svelte';

/** Codes named differently in docs and core, folded onto one sentence. */
const ALIASES: Record<string, string> = {
  locked: 'password_locked',
  too_many_requests: 'rate_limited',
  wrong_password: 'wrong_credentials',
};

export function errorCode(e: unknown): string {
  const code = e instanceof AppError ? e.code : 'unknown';
  return ALIASES[code] ?? code;
}

export function errorText(e: unknown): string {
  const code = errorCode(e);
  const err = e instanceof AppError ? e : null;
  if (err?.attemptsLeft != null && (code === 'wrong_credentials' || code === 'code_wrong')) {
    const k = `err.${code}_n`;
    if (hasKey(k)) return t(k, { n: err.attemptsLeft });
  }
  if (err?.retryAfterS != null && err.retryAfterS > 0 && code === 'rate_limited') {
    return t('err.rate_limited_t', { time: clock(err.retryAfterS) });
  }
  const k = `err.${code}`;
  if (hasKey(k)) return t(k);
  return t('err.unknown');
}

/** Codes that mean "the operator could not be reached": cached data may still be shown. */
export function isOffline(e: unknown): boolean {
  const c = errorCode(e);
  return c === 'unreachable';
}

/** Codes that mean the session is gone: back to login. */
export function isSessionGone(e: unknown): boolean {
  const c = errorCode(e);
  return c === 'session_inactive' || c === 'session_revoked' || c === 'unauthorized' || c === 'not_signed_in' || c === 'invalid_refresh_token';
}
