// PROVISIONAL: hand-written from docs/ipc.md so the UI type-checks before the shell generates the
// real file with tauri-specta. The shell engineer overwrites this file; do not edit it after that.
/* eslint-disable */

export type Result<T, E> = { status: "ok"; data: T } | { status: "error"; error: E };

export type CoreError = { code: string; message: string; attempts_left?: number | null; retry_after_s?: number | null; hint?: string | null };
export type Cached<T> = { value: T; fetched_ms: number; stale: boolean };
export type AccountKind = "mobile" | "home" | "satellite" | "banking";
export type Account = { login: string; kind: AccountKind; name: string };
export type AccountRef = Account;
export type AppInfo = { version: string; embedded: boolean; operator_url: string; gateway_url: string | null; qa: boolean; platform: string };
export type Settings = { language: "ru" | "en" | "system"; theme: "light" | "dark" | "system"; operator_url: string | null; remember: boolean };
export type Boot = { account: Account | null; home: Cached<AccountOverview> | null; accounts: Account[]; settings: Settings; app: AppInfo };
export type ClockCheck = { operator_ms: number; device_ms: number; skew_ms: number; warn: boolean };
export type LoginMethod = "password" | "sms_code" | "on_net" | "social" | "linked";
export type Session = { account: Account; session_id: string; method: LoginMethod; remembered: boolean; agreement_required: boolean; offer_permanent_password: boolean; permanent_password_set: boolean };
export type LoginOutcome = { session: Session; keyring_error: CoreError | null };
export type CaptchaView = { id: string; png_base64: string; expires_in_s: number };
export type SmsPasswordSent = { resend_after_s: number; expires_in_s: number; resent_same_code: boolean; requests_left_this_hour: number };
export type RecoverySent = { masked_email: string; expires_in_s: number };
export type Agreement = { version: number; title: string; text: string };
export type PasswordChanged = { other_sessions_revoked: number };
export type Strength = { score: number; ok: boolean; problems: string[] };
export type DeviceInfo = { name: string; platform: string };
export type SessionInfo = { id: string; method: LoginMethod; device: DeviceInfo; created_ms: number; last_seen_ms: number; current: boolean };
export type Revoked = { revoked: number };
export type ActivityEntry = { id: number; at_ms: number; action: string; channel: string; device: string; detail: string };
export type ActivityPage = { entries: ActivityEntry[]; next_before: number | null };
export type SocialLink = { provider: string; username: string; linked_ms: number };
export type PackageUse = { used: number; total: number };
export type Packages = { period: string; minutes: PackageUse; sms: PackageUse; data_mb: PackageUse };
export type UsageKind = "minutes" | "sms" | "data";
export type UsageNotice = { kind: UsageKind; percent: number; at_ms: number; text: string };
export type TariffRef = { id: string; name: string; monthly_fee_kop: number };
export type AccountOverview = { account: AccountRef; balance_kop: number; currency: string; tariff: TariffRef | null; packages: Packages | null; blocked: boolean; recovery_email: string | null; notices: UsageNotice[]; as_of_ms: number };
export type Tariff = { id: string; name: string; description: string; monthly_fee_kop: number; change_fee_kop: number; minutes: number; sms: number; data_mb: number };
export type TariffList = { current_id: string | null; tariffs: Tariff[] };
export type Charged = { charged_kop: number; balance_kop: number };
export type Service = { id: string; name: string; description: string; connect_fee_kop: number; monthly_fee_kop: number; connected: boolean };
export type ServiceList = { services: Service[]; monthly_total_kop: number };
export type RecordKind = "call" | "sms" | "data";
export type Direction = "outgoing" | "incoming";
export type CallRecord = { id: number; at_ms: number; kind: RecordKind; direction: Direction; party: string; duration_s: number; volume_kb: number; cost_kop: number };
export type KindTotals = { count: number; duration_s: number; volume_kb: number; cost_kop: number };
export type CallTotals = { all: KindTotals; call: KindTotals; sms: KindTotals; data: KindTotals };
export type CallFilter = { from_ms: number | null; to_ms: number | null; kind: RecordKind | null; search: string | null };
export type CallsView = { records: CallRecord[]; totals: CallTotals };
export type MonthSpend = { month: string; calls_kop: number; sms_kop: number; data_kop: number; subscriptions_kop: number };
export type PrintoutOrdered = { email: string; records: number };
export type BlockState = { blocked: boolean };
export type RecoveryEmail = { email: string };
export type LinkedAccount = { account: AccountRef; linked_ms: number };
export type TopUpResult = { payment_id: string; status: string; balance_kop: number };
export type PhoneState = { number: string; airplane: boolean; spam_blocker: boolean; on_net: boolean };
export type PhoneStatePatch = { airplane: boolean | null; spam_blocker: boolean | null; on_net: boolean | null };
export type Verdict = "genuine" | "fraud" | "other";
export type InboxMessage = { id: number; sender: string; text: string; code: string | null; verdict: Verdict; received_ms: number; received_at: string };
export type MailFolder = "inbox" | "spam";
export type Attachment = { name: string; content_type: string; size_bytes: number };
export type Mail = { id: number; folder: MailFolder; from: string; subject: string; body: string; attachment: Attachment | null; received_ms: number };
export type FilterAction = "spam" | "delete";
export type MailFilter = { from_contains: string; action: FilterAction };
export type MailboxState = { address: string; quota_bytes: number; used_bytes: number; filters: MailFilter[]; bounced: number };
export type MailboxView = { state: MailboxState; messages: Mail[] };
export type FindingKind = "mistyped_number" | "unregistered_number" | "airplane_mode" | "spam_blocker" | "messages_lost" | "hourly_limit" | "resend_countdown" | "code_still_valid" | "mailbox_full" | "letter_in_spam";
export type Finding = { kind: FindingKind; message: string; seconds?: number | null };
export type AlternativeKind = "command111" | "call_support";
export type Alternative = { kind: AlternativeKind; message: string };
export type Diagnosis = { findings: Finding[]; alternatives: Alternative[] };

export type SmsReceived = { number: string; message: InboxMessage };
export type MailReceived = { address: string; mail: Mail };
export type SessionEnded = { login: string; reason: "inactivity" | "revoked" | "exit" };
export type ActiveAccountChanged = { login: string };
export type DataRefreshed = { login: string; view: string; data: Cached<AccountOverview> };
export type OperatorStatus = { reachable: boolean; message: string | null };
export type KeyringUnavailable = { message: string };

import { invoke as TAURI_INVOKE } from "@tauri-apps/api/core";
import * as TAURI_API_EVENT from "@tauri-apps/api/event";

async function r<T>(cmd: string, args?: Record<string, unknown>): Promise<Result<T, CoreError>> {
  try {
    return { status: "ok", data: await TAURI_INVOKE<T>(cmd, args) };
  } catch (e) {
    if (e instanceof Error) throw e;
    return { status: "error", error: e as CoreError };
  }
}

export const commands = {
  appInfo: () => r<AppInfo>("app_info"),
  boot: () => r<Boot>("boot"),
  uiReady: (screen: string) => r<null>("ui_ready", { screen }),
  settingsGet: () => r<Settings>("settings_get"),
  settingsSet: (settings: Settings) => r<Settings>("settings_set", { settings }),
  clockCheck: () => r<ClockCheck>("clock_check"),
  autologin: () => r<Session | null>("autologin"),
  touch: () => r<null>("touch"),
  captcha: () => r<CaptchaView>("captcha"),
  requestSmsPassword: (phone: string, captchaId: string, captchaAnswer: string) => r<SmsPasswordSent>("request_sms_password", { phone, captchaId, captchaAnswer }),
  watchPhone: (phone: string) => r<null>("watch_phone", { phone }),
  loginPassword: (login: string, password: string, remember: boolean) => r<LoginOutcome>("login_password", { login, password, remember }),
  loginSmsCode: (phone: string, code: string, remember: boolean) => r<LoginOutcome>("login_sms_code", { phone, code, remember }),
  loginOnNet: (phone: string, remember: boolean) => r<LoginOutcome>("login_on_net", { phone, remember }),
  loginSocial: (provider: string, username: string, password: string, remember: boolean) => r<LoginOutcome>("login_social", { provider, username, password, remember }),
  loginContract: (contract: string, password: string, remember: boolean) => r<LoginOutcome>("login_contract", { contract, password, remember }),
  requestRecovery: (contract: string) => r<RecoverySent>("request_recovery", { contract }),
  confirmRecovery: (contract: string, code: string, newPassword: string, remember: boolean) => r<LoginOutcome>("confirm_recovery", { contract, code, newPassword, remember }),
  requestPasswordBy111: (phone: string, password: string) => r<null>("request_password_by_111", { phone, password }),
  agreement: () => r<Agreement>("agreement"),
  acceptAgreement: () => r<null>("accept_agreement"),
  logout: () => r<null>("logout"),
  accounts: () => r<Session[]>("accounts"),
  switchAccount: (login: string) => r<Session>("switch_account", { login }),
  changePassword: (oldPassword: string | null, newPassword: string, signOutOthers: boolean) => r<PasswordChanged>("change_password", { oldPassword, newPassword, signOutOthers }),
  passwordStrength: (password: string) => r<Strength>("password_strength", { password }),
  deviceSessions: () => r<SessionInfo[]>("device_sessions"),
  revokeOtherSessions: () => r<Revoked>("revoke_other_sessions"),
  activity: (before: number | null, limit: number | null) => r<ActivityPage>("activity", { before, limit }),
  socialLinks: () => r<SocialLink[]>("social_links"),
  linkSocial: (provider: string, username: string, password: string) => r<SocialLink>("link_social", { provider, username, password }),
  home: (refresh: boolean) => r<Cached<AccountOverview>>("home", { refresh }),
  tariffs: () => r<Cached<TariffList>>("tariffs"),
  changeTariff: (tariffId: string) => r<Charged>("change_tariff", { tariffId }),
  services: () => r<Cached<ServiceList>>("services"),
  connectService: (id: string) => r<Charged>("connect_service", { id }),
  disconnectService: (id: string) => r<Charged>("disconnect_service", { id }),
  callsSync: () => r<number>("calls_sync"),
  callsPage: (filter: CallFilter, offset: number, limit: number) => r<Cached<CallsView> | null>("calls_page", { filter, offset, limit }),
  callsTotals: (filter: CallFilter) => r<CallTotals>("calls_totals", { filter }),
  callsMonthly: () => r<MonthSpend[]>("calls_monthly"),
  callsExportCsv: (filter: CallFilter) => r<string>("calls_export_csv", { filter }),
  callsOrder: (filter: CallFilter) => r<PrintoutOrdered>("calls_order", { filter }),
  blockNumber: () => r<BlockState>("block_number"),
  unblockNumber: () => r<BlockState>("unblock_number"),
  setRecoveryEmail: (email: string) => r<RecoveryEmail>("set_recovery_email", { email }),
  links: () => r<LinkedAccount[]>("links"),
  addLink: (login: string, password: string) => r<LinkedAccount>("add_link", { login, password }),
  removeLink: (login: string) => r<null>("remove_link", { login }),
  topup: (cardNumber: string, amountKop: number) => r<TopUpResult>("topup", { cardNumber, amountKop }),
  topupConfirm: (id: string, code: string) => r<TopUpResult>("topup_confirm", { id, code }),
  phoneState: (phone: string) => r<PhoneState>("phone_state", { phone }),
  setPhoneState: (phone: string, patch: PhoneStatePatch) => r<PhoneState>("set_phone_state", { phone, patch }),
  phoneInbox: (phone: string) => r<InboxMessage[]>("phone_inbox", { phone }),
  phoneSend: (phone: string, to: string, text: string) => r<null>("phone_send", { phone, to, text }),
  mailbox: (address: string, folder: MailFolder) => r<MailboxView>("mailbox", { address, folder }),
  mailMove: (address: string, id: number, folder: MailFolder) => r<Mail>("mail_move", { address, id, folder }),
  troubleshoot: (phone: string) => r<Diagnosis>("troubleshoot", { phone }),
};

function ev<T>(name: string) {
  return {
    listen: (cb: TAURI_API_EVENT.EventCallback<T>) => TAURI_API_EVENT.listen<T>(name, cb),
    once: (cb: TAURI_API_EVENT.EventCallback<T>) => TAURI_API_EVENT.once<T>(name, cb),
    emit: (payload: T) => TAURI_API_EVENT.emit(name, payload),
  };
}

export const events = {
  smsReceived: ev<SmsReceived>("sms-received"),
  mailReceived: ev<MailReceived>("mail-received"),
  sessionEnded: ev<SessionEnded>("session-ended"),
  activeAccountChanged: ev<ActiveAccountChanged>("active-account-changed"),
  dataRefreshed: ev<DataRefreshed>("data-refreshed"),
  operatorStatus: ev<OperatorStatus>("operator-status"),
  keyringUnavailable: ev<KeyringUnavailable>("keyring-unavailable"),
};
