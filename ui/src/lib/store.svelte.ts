// The app's state: who is signed in, the home view, settings, the route. One object, mutated in
// place, read by every component.
import type { Account, AccountOverview, AppInfo, Boot, Cached, LoginOutcome, Settings } from '../bindings';
import { api, AppError, on, quietly, toAppError } from './ipc';
import { i18n } from './i18n/index.svelte';
import { isOffline } from './errors';

export type Route =
  | 'login'
  | 'agreement'
  | 'home'
  | 'detail'
  | 'services'
  | 'tariffs'
  | 'settings'
  | 'activity'
  | 'help'
  | 'block'
  | 'linked';

export type EndReason = 'inactivity' | 'revoked' | 'exit';

export const DEFAULT_SETTINGS: Settings = { language: 'system', theme: 'system', operator_url: null, world_url: null, device_sim: null, remember: true, biometric_unlock: false };

function initial() {
  return {
    route: 'login' as Route,
    settings: { ...DEFAULT_SETTINGS } as Settings,
    info: null as AppInfo | null,
    /** Whether the operator's own facts (its gateway, AUTH-7) are known yet: until then the
     *  login screen keeps room for the on-net button, so nothing moves under a finger. */
    operatorKnown: false,
    account: null as Account | null,
    accounts: [] as Account[],
    signedIn: false,
    home: null as Cached<AccountOverview> | null,
    homeError: null as AppError | null,
    homeLoading: false,
    online: true,
    endedReason: null as EndReason | null,
    /** After an idle end on a remembered device: the account one tap signs in again (AUTH-8). */
    resumable: null as Account | null,
    skewMs: 0,
    phoneOpen: false,
    /** The number typed on the login screen (normalised), so the phone opens on it signed out. */
    typedPhone: null as string | null,
    /** A number to sign in again by SMS password, for fresh proof (SEC-4): the login screen
     *  opens on it in SMS mode, once. */
    reprove: null as string | null,
    /** The mailbox the troubleshooter found a problem in, so the drawer opens on it (INBOX-4). */
    typedMail: null as string | null,
    offerPermanent: false,
    keyringWarning: false,
    /** The cache was damaged and rebuilt at this start (CACHE-3): said once, until dismissed. */
    cacheHealed: false,
    /** A fingerprint or face check comes before autologin (AUTH-14); why the last one failed. */
    locked: false,
    unlockError: null as AppError | null,
    /**
     * Why nothing can start on this data dir, said on the login screen: another mymts (the CLI)
     * held it past the app's wait (`busy`), or the embedded operator's files in it are damaged
     * (`operator_damaged`, CACHE-3).
     */
    dataDirError: null as 'busy' | 'operator_damaged' | null,
    now: Date.now(),
  };
}

export const app = $state(initial());

/** For tests: back to a fresh app. */
export function resetApp(): void {
  Object.assign(app, initial());
}

export function applyTheme(theme: Settings['theme']): void {
  if (typeof document === 'undefined') return;
  if (theme === 'system') delete document.documentElement.dataset.theme;
  else document.documentElement.dataset.theme = theme;
}

/** Paint from what the shell injected: synchronous, no IPC. */
export function applyBoot(boot: Boot | undefined | null): void {
  if (!boot) {
    i18n.set('system');
    return;
  }
  app.settings = boot.settings;
  app.info = boot.app;
  app.accounts = boot.accounts;
  app.account = boot.account;
  app.home = boot.home;
  app.locked = boot.locked;
  app.cacheHealed = !!boot.cache_healed;
  // Before the first layout: the font stack depends on it (app.css).
  if (typeof document !== 'undefined') document.documentElement.dataset.platform = boot.app.platform;
  i18n.set(boot.settings.language ?? 'system');
  applyTheme(boot.settings.theme);
  if (boot.account && boot.home) app.route = 'home';
  else app.route = 'login';
}

export function navigate(route: Route): void {
  app.route = route;
  if (typeof window !== 'undefined' && route !== 'login' && route !== 'agreement') {
    if (window.location.hash !== `#${route}`) history.replaceState(null, '', `#${route}`);
  }
}

/** Fresh home data replaces what is shown, in place. */
export async function refreshHome(refresh = true): Promise<void> {
  app.homeLoading = true;
  try {
    const v = await api.home(refresh);
    app.home = v;
    app.homeError = null;
    if (v.value.account) app.account = v.value.account;
  } catch (e) {
    // A session the core ended comes as its `sessionEnded` event (which clears this too); the
    // UI does not guess it from error codes.
    if (app.signedIn) app.homeError = toAppError(e);
  } finally {
    app.homeLoading = false;
  }
}

export async function checkClock(): Promise<void> {
  try {
    const c = await api.clockCheck();
    app.skewMs = c.skew_ms;
  } catch {
    // No clock check offline; the warning simply does not show.
  }
}

/** After any successful login. */
export async function afterLogin(outcome: LoginOutcome): Promise<void> {
  const s = outcome.session;
  app.account = s.account;
  app.signedIn = true;
  app.endedReason = null;
  if (!app.accounts.some((a) => a.login === s.account.login)) app.accounts = [...app.accounts, s.account];
  app.offerPermanent = s.offer_permanent_password;
  app.keyringWarning = outcome.keyring_error !== null;
  app.resumable = null;
  if (s.agreement_required) {
    app.route = 'agreement';
    return;
  }
  if (app.home && app.home.value.account.login !== s.account.login) app.home = null;
  navigate('home');
  await Promise.all([refreshHome(true), checkClock()]);
}

/** The session is over (inactivity, revoked, exit): back to login, saying why. */
export function endSession(reason: EndReason): void {
  app.signedIn = false;
  app.endedReason = reason;
  app.resumable = null;
  app.home = null;
  app.homeError = null;
  app.offerPermanent = false;
  app.phoneOpen = false;
  app.route = 'login';
}

export async function exit(): Promise<void> {
  try {
    await api.logout();
  } catch {
    // Exit always leaves, even offline; the shell wipes what it can.
  }
  if (app.account) app.accounts = app.accounts.filter((a) => a.login !== app.account?.login);
  app.account = null;
  endSession('exit');
}

/**
 * SEC-4: a change needs fresh proof and this account has no password to give: the session ends
 * (as Exit does) and the login screen opens on the number in SMS mode, so the SMS password signs
 * in afresh; the change is then made again.
 */
export async function reproveBySms(): Promise<void> {
  // Set first: the login screen reads it as it opens, which may be before exit() returns.
  app.reprove = app.account?.kind === 'mobile' ? app.account.login : null;
  await exit();
}

export async function switchAccount(login: string): Promise<void> {
  const s = await api.switchAccount(login);
  app.account = s.account;
  app.home = null;
  // A linked number signed in for the first time must accept the agreement too (AUTH-10).
  if (s.agreement_required) {
    app.route = 'agreement';
    return;
  }
  navigate('home');
  await refreshHome(true);
}

export async function saveSettings(patch: Partial<Settings>): Promise<void> {
  const next = { ...app.settings, ...patch };
  app.settings = next;
  i18n.set(next.language ?? 'system');
  applyTheme(next.theme);
  try {
    app.settings = await api.settingsSet(next);
  } catch {
    // Shown as chosen even if the shell could not save; it applies now, just not next start.
  }
}

/** Background start: autologin, then fresh data. Never blocks the first paint. */
export async function startBackground(): Promise<void> {
  app.unlockError = null;
  try {
    // With the fingerprint check on, this is the system prompt (AUTH-14).
    const s = await api.autologin();
    if (s) {
      app.locked = false;
      app.account = s.account;
      app.signedIn = true;
      if (s.agreement_required) {
        app.route = 'agreement';
        return;
      }
      if (app.route === 'login') navigate('home');
      await Promise.all([refreshHome(true), checkClock()]);
    } else if (app.route !== 'login') {
      app.route = 'login';
      app.home = null;
    }
  } catch (e) {
    const err = toAppError(e);
    if (err.code === 'unlock_refused') app.unlockError = err;
    else if (isOffline(err)) {
      // Offline: the core's operatorStatus event turns the banner on; stay where we are.
    }
    else if (err.code === 'busy' || err.code === 'operator_damaged') {
      app.dataDirError = err.code;
      app.route = 'login';
      app.home = null;
    }
    else if (app.route !== 'login') {
      app.route = 'login';
      app.home = null;
    }
  } finally {
    // The operator (embedded or not) is known only now: its gateway decides the on-net button.
    try {
      app.info = await api.appInfo();
    } catch {
      // Keep the boot facts.
    }
    app.operatorKnown = true;
    // The start is settled (signed in, on the login screen or offline): WebDriver journeys wait
    // for this before they touch anything, as a user's first tap comes after the screen settles.
    if (typeof document !== 'undefined') document.documentElement.dataset.started = '1';
  }
}

let lastTouch = 0;
/** User input keeps the session alive (AUTH-8); at most one `touch` per 10 s. */
export function userActivity(nowMs = Date.now()): void {
  if (!app.signedIn) return;
  if (nowMs - lastTouch < 10_000) return;
  lastTouch = nowMs;
  quietly(api.touch());
}
export function resetTouchThrottle(): void {
  lastTouch = 0;
}

/** Shell events that change the whole app. Returns a stop function. */
export function listenShell(): () => void {
  const stops = [
    on('sessionEnded', (p) => {
      if (p.reason === 'exit' && app.endedReason === 'exit') return;
      const resume = p.remembered ? (app.accounts.find((a) => a.login === p.login) ?? (app.account?.login === p.login ? app.account : null)) : null;
      endSession(p.reason);
      app.resumable = resume;
    }),
    on('dataRefreshed', (p) => {
      if (p.view === 'home' && (!app.account || p.login === app.account.login)) {
        app.home = p.data;
      }
    }),
    on('keyringUnavailable', () => {
      app.keyringWarning = true;
    }),
    on('cacheHealed', () => {
      app.cacheHealed = true;
    }),
    // Whether the operator answers is the core's one fact (every request and the live stream
    // tell it): the offline banner follows this event alone (ACC-1, CACHE-2).
    on('operatorStatus', (p) => {
      app.online = p.reachable;
    }),
    on('activeAccountChanged', (p) => {
      if (app.account?.login !== p.login) {
        const a = app.accounts.find((x) => x.login === p.login);
        if (a) app.account = a;
      }
    }),
  ];
  return () => stops.forEach((s) => s());
}
