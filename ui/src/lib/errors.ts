// The sentence for an error: by its stable code, in the user's language, saying what to do.
import { AppError, type AppErrorCode } from './ipc';
import { clock } from './format';
import { hasKey, t } from './i18n/index.svelte';

export function errorCode(e: unknown): AppErrorCode {
  return e instanceof AppError ? e.code : 'unknown';
}

/** The input field the error names (the operator's `field`), or null. */
export function errorField(e: unknown): string | null {
  return e instanceof AppError ? e.field : null;
}

/**
 * A failure as a notice shows it: the sentence, and the stable code that notice carries as
 * `data-code` (issue 13, item 16), so tests and tools tell refusals apart without reading words.
 * A mistake found on this side before anything is sent carries the code the operator would have
 * answered (`invalid_input`…), as the core's local failures do.
 */
export type Failure = { text: string; code: AppErrorCode };

/** What an error says, and its code. */
export function failure(e: unknown): Failure {
  return { text: errorText(e), code: errorCode(e) };
}

/** What an action's notice says: done, or a failure with its code. */
export type NoticeMsg = { ok: true; text: string; code?: undefined } | ({ ok: false } & Failure);

export function errorText(e: unknown): string {
  const code = errorCode(e);
  const err = e instanceof AppError ? e : null;
  if (err?.attemptsLeft != null && (code === 'wrong_credentials' || code === 'code_wrong')) {
    const k = `err.${code}_n`;
    if (hasKey(k)) return t(k, { n: err.attemptsLeft });
  }
  if (isHourlyLimit(e)) return t('err.hourly_limit', { time: clock(err?.retryAfterS ?? 0) });
  if (err?.retryAfterS != null && err.retryAfterS > 0 && code === 'rate_limited') {
    return t('err.rate_limited_t', { time: clock(err.retryAfterS) });
  }
  const k = `err.${code}`;
  if (hasKey(k)) return t(k);
  return t('err.unknown');
}

/** The seconds between two SMS-password requests (AUTH-4); a longer wait is the hourly limit. */
export const RESEND_S = 60;

/**
 * The hourly limit of SMS passwords (AUTH-4), told from the one-minute resend wait by its wait:
 * both are `rate_limited`, only the hourly one asks to wait longer than a minute. (With under a
 * minute of the hour left it reads as the resend wait, which is then just as true.)
 */
export function isHourlyLimit(e: unknown): boolean {
  return errorCode(e) === 'rate_limited' && e instanceof AppError && (e.retryAfterS ?? 0) > RESEND_S;
}

/** Codes that mean "the operator could not be reached": cached data may still be shown. */
export function isOffline(e: unknown): boolean {
  const c = errorCode(e);
  return c === 'unreachable';
}
