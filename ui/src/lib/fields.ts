// A field's own mistakes, found before anything is sent: said under that field, with the code the
// operator would have answered (issue 13, items 10 and 12). One rule for every login form.
import type { Failure } from './errors';
import { t } from './i18n/index.svelte';

/** The operator's limit for a password at login (AUTH-3): longer ones are refused unread. */
export const PASSWORD_MAX = 128;

/** Why a login password cannot be sent as it is (empty, or over the limit), or null. */
export function passwordProblem(pw: string): Failure | null {
  if (!pw) return { text: t('login.empty_password'), code: 'invalid_input' };
  if (pw.length > PASSWORD_MAX) return { text: t('login.password_too_long', { max: PASSWORD_MAX, n: pw.length }), code: 'invalid_input' };
  return null;
}
