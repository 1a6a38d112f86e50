// Shared test doubles: a fake shell behind Tauri's IPC mocks, and the data it answers with.
import { mockIPC } from '@tauri-apps/api/mocks';
import { emit } from '@tauri-apps/api/event';
import type { AccountOverview, Boot, Cached, LoginOutcome } from '../src/bindings';
import type { AppErrorCode } from '../src/lib/ipc';

export type Handler = (args: Record<string, unknown>) => unknown;
export type Calls = { cmd: string; args: Record<string, unknown> }[];

/**
 * `read_phone` for what the login field holds once its mask has written a whole number
 * (`+7 916 123-45-67`); anything else is refused. A fixture of these tests, not the rule: what a
 * typed number means is Rust's (`PhoneNumber::parse` and its tests).
 */
function readMaskedPhone(args: Record<string, unknown>): string {
  const m = /^\+7 (\d{3}) (\d{3})-(\d{2})-(\d{2})$/.exec(String(args.text ?? ''));
  if (!m) fail('invalid_phone');
  return `+7${m.slice(1).join('')}`;
}

const DEFAULTS: Record<string, Handler> = { read_phone: readMaskedPhone };

/** A shell answering `handlers[cmd](args)` (else a default above); a thrown `{code}` becomes a command error. */
export function mockShell(handlers: Record<string, Handler>): Calls {
  const calls: Calls = [];
  mockIPC(
    (cmd, payload) => {
      const args = (payload ?? {}) as Record<string, unknown>;
      calls.push({ cmd, args });
      const h = handlers[cmd] ?? DEFAULTS[cmd];
      if (!h) return null;
      return h(args);
    },
    { shouldMockEvents: true },
  );
  return calls;
}

export function fail(code: AppErrorCode, extra: Record<string, unknown> = {}): never {
  throw { code, message: code, ...extra };
}

export function shellEmit(event: string, payload: unknown): Promise<void> {
  return emit(event, payload);
}

export const NOW = Date.now();

export function overview(over: Partial<AccountOverview> = {}): AccountOverview {
  return {
    account: { login: '+79161234567', kind: 'mobile', name: 'Anna Petrova' },
    balance_kop: 123456,
    currency: 'RUB',
    tariff: { id: 'smart', name: 'Smart', monthly_fee_kop: 55000 },
    packages: {
      period: '2026-03',
      minutes: { used: 120, total: 500 },
      sms: { used: 10, total: 100 },
      data_mb: { used: 4096, total: 20480 },
    },
    blocked: false,
    recovery_email: 'anna@mail.example',
    notices: [],
    as_of_ms: NOW - 5 * 60_000,
    ...over,
  };
}

export function cached<T>(value: T, stale = false, fetched_ms = NOW - 5 * 60_000): Cached<T> {
  return { value, fetched_ms, stale };
}

export function boot(over: Partial<Boot> = {}): Boot {
  const home = cached(overview(), true);
  return {
    account: home.value.account,
    home,
    accounts: [home.value.account],
    settings: { language: 'en', theme: 'system', operator_url: null, world_url: null, device_sim: null, remember: true, biometric_unlock: false },
    app: { version: '0.1.0', embedded: true, operator_url: 'http://127.0.0.1:1', gateway_url: null, qa: true, platform: 'linux', biometric: false },
    locked: false,
    cache_healed: null,
    ...over,
  };
}

export function outcome(login = '+79161234567', over: Partial<LoginOutcome['session']> = {}): LoginOutcome {
  return {
    session: {
      account: { login, kind: 'mobile', name: 'Anna Petrova' },
      session_id: 's1',
      method: 'password',
      remembered: true,
      agreement_required: false,
      offer_permanent_password: false,
      permanent_password_set: false,
      ...over,
    },
    keyring_error: null,
  };
}

/** Normalise the no-break spaces Intl puts in numbers. */
export function plain(s: string | null | undefined): string {
  return (s ?? '').replace(/[\u00a0\u202f]/g, ' ').trim();
}
