import { describe, expect, it } from 'vitest';
import { render, screen, waitFor } from '@testing-library/svelte';
import App from '../src/App.svelte';
import { app, applyBoot, startBackground } from '../src/lib/store.svelte';
import { boot, cached, fail, mockShell, overview, plain, shellEmit, outcome } from './helpers';

describe('Home (ACC-1)', () => {
  it('paints the cached account in the first frame, before any IPC answers', () => {
    const calls = mockShell({});
    applyBoot(boot());
    render(App);
    expect(plain(screen.getByTestId('home-balance').textContent)).toBe('₽1,234.56');
    expect(screen.getByTestId('home-updated').textContent).toMatch(/5 minutes ago/);
    expect(screen.getByTestId('pkg-minutes')).toBeTruthy();
    expect(screen.getByTestId('pkg-sms')).toBeTruthy();
    expect(screen.getByTestId('pkg-data')).toBeTruthy();
    expect(screen.getByTestId('home-tariff').textContent).toContain('Smart');
    expect(calls).toHaveLength(0);
  });

  it('replaces the cached view with fresh data in place', async () => {
    mockShell({
      autologin: () => outcome().session,
      home: () => cached(overview({ balance_kop: 99900 }), false, Date.now()),
      clock_check: () => ({ operator_ms: 0, device_ms: 0, skew_ms: 0, warn: false }),
    });
    applyBoot(boot());
    render(App);
    await startBackground();
    await waitFor(() => expect(plain(screen.getByTestId('home-balance').textContent)).toBe('₽999.00'));
    expect(screen.getByTestId('home-updated').textContent).toMatch(/now/);
  });

  it('shows a skeleton while loading when nothing is cached', () => {
    mockShell({ home: () => new Promise(() => {}) });
    applyBoot(boot({ home: null }));
    app.route = 'home';
    app.signedIn = true;
    render(App);
    expect(screen.getByTestId('home-skeleton')).toBeTruthy();
    expect(screen.queryByTestId('home-balance')).toBeNull();
  });

  it('shows the error sentence with Retry, and retries', async () => {
    let n = 0;
    mockShell({ home: () => (n++ === 0 ? fail('internal') : cached(overview(), false, Date.now())) });
    applyBoot(boot({ home: null }));
    app.route = 'home';
    app.signedIn = true;
    render(App); // Home loads on mount; the first answer fails
    await waitFor(() => screen.getByTestId('home-error'));
    expect(screen.getByTestId('error-text').textContent).toMatch(/internal error/);
    screen.getByTestId('retry').click();
    await waitFor(() => screen.getByTestId('home-balance'));
  });

  it('keeps cached data under an offline banner when the operator is unreachable (CACHE-2)', async () => {
    mockShell({ home: () => fail('unreachable'), autologin: () => fail('unreachable') });
    applyBoot(boot());
    const { listenShell } = await import('../src/lib/store.svelte');
    const stop = listenShell();
    render(App);
    // The core tells it as the requests fail: the banner follows that event, not error codes.
    await shellEmit('operator-status', { reachable: false, message: 'connection refused' });
    await startBackground();
    await waitFor(() => screen.getByTestId('offline-banner'));
    stop();
    expect(plain(screen.getByTestId('home-balance').textContent)).toBe('₽1,234.56');
  });

  it('says on the login screen that another mymts holds the data dir (issue 12: busy)', async () => {
    mockShell({ autologin: () => fail('busy'), app_info: () => boot().app });
    applyBoot(boot());
    render(App);
    await startBackground();
    await waitFor(() => screen.getByTestId('data-busy'));
    expect(screen.getByTestId('data-busy').textContent).toMatch(/command-line tool/);
    expect(screen.queryByTestId('home-balance')).toBeNull();
  });

  it('says on the login screen that the embedded operator\'s files are damaged (issue 12: operator_damaged)', async () => {
    mockShell({ autologin: () => fail('operator_damaged'), app_info: () => boot().app });
    applyBoot(boot());
    render(App);
    await startBackground();
    await waitFor(() => screen.getByTestId('data-damaged'));
    expect(screen.getByTestId('data-damaged').textContent).toMatch(/files .* are damaged/);
    expect(screen.getByTestId('data-damaged').dataset.code).toBe('operator_damaged');
    expect(screen.queryByTestId('home-balance')).toBeNull();
  });

  it('shows the offline banner from the operator-status event and hides it again', async () => {
    mockShell({});
    applyBoot(boot());
    const { listenShell } = await import('../src/lib/store.svelte');
    const stop = listenShell();
    render(App);
    await shellEmit('operator-status', { reachable: false, message: null });
    await waitFor(() => screen.getByTestId('offline-banner'));
    await shellEmit('operator-status', { reachable: true, message: null });
    await waitFor(() => expect(screen.queryByTestId('offline-banner')).toBeNull());
    stop();
  });

  it('explains a zero balance and a negative one (ACC-4)', () => {
    mockShell({});
    applyBoot(boot({ home: cached(overview({ balance_kop: 0 }), true) }));
    const r = render(App);
    expect(plain(screen.getByTestId('home-balance').textContent)).toBe('₽0.00');
    expect(screen.getByTestId('home-balance-hint').textContent).toMatch(/zero/);
    r.unmount();
    applyBoot(boot({ home: cached(overview({ balance_kop: -5000 }), true) }));
    render(App);
    expect(plain(screen.getByTestId('home-balance').textContent)).toBe('-₽50.00');
    expect(screen.getByTestId('home-balance-hint').textContent).toMatch(/below zero/);
  });

  it('shows usage notices (ACC-11) and the clock warning (AUTH-13)', () => {
    mockShell({});
    applyBoot(boot({ home: cached(overview({ notices: [{ kind: 'data', percent: 80, at_ms: 1, text: 'x' }] }), true) }));
    app.skewMs = 5 * 60_000;
    render(App);
    expect(screen.getByTestId('usage-notice').textContent).toMatch(/80% of the month’s internet/);
    expect(screen.getByTestId('clock-warning').textContent).toMatch(/5 min/);
  });

  it('writes money the Russian way in Russian', () => {
    mockShell({});
    applyBoot(boot({ settings: { language: 'ru', theme: 'system', operator_url: null, world_url: null, device_sim: null, remember: true, biometric_unlock: false } }));
    render(App);
    expect(plain(screen.getByTestId('home-balance').textContent)).toBe('1 234,56 ₽');
    expect(screen.getByTestId('tab-home').textContent).toContain('Главная');
  });

  it('returns to login with the reason when the session ends (AUTH-8)', async () => {
    mockShell({});
    applyBoot(boot());
    app.signedIn = true;
    const { listenShell } = await import('../src/lib/store.svelte');
    const stop = listenShell();
    render(App);
    await shellEmit('session-ended', { login: '+79161234567', reason: 'inactivity' });
    await waitFor(() => screen.getByTestId('session-ended'));
    expect(screen.getByTestId('session-ended').textContent).toMatch(/20 minutes/);
    expect(screen.getByTestId('login-phone')).toBeTruthy();
    stop();
  });

  it('offers one tap to sign in again after an idle end on a remembered device (AUTH-8)', async () => {
    const calls = mockShell({
      autologin: () => outcome().session,
      home: () => cached(overview(), false, Date.now()),
      clock_check: () => ({ operator_ms: 0, device_ms: 0, skew_ms: 0, warn: false }),
    });
    applyBoot(boot());
    app.signedIn = true;
    const { listenShell } = await import('../src/lib/store.svelte');
    const stop = listenShell();
    render(App);
    await shellEmit('session-ended', { login: '+79161234567', reason: 'inactivity', remembered: true });
    await waitFor(() => screen.getByTestId('resume-session'));
    expect(screen.getByTestId('resume-session').textContent).toMatch(/Sign in again/);
    screen.getByTestId('resume-session').click();
    await waitFor(() => screen.getByTestId('home-balance'));
    expect(calls.filter((c) => c.cmd === 'autologin')).toHaveLength(1);
    stop();
  });

  it('offers no shortcut when the ended session was not remembered', async () => {
    mockShell({});
    applyBoot(boot());
    app.signedIn = true;
    const { listenShell } = await import('../src/lib/store.svelte');
    const stop = listenShell();
    render(App);
    await shellEmit('session-ended', { login: '+79161234567', reason: 'inactivity', remembered: false });
    await waitFor(() => screen.getByTestId('session-ended'));
    expect(screen.queryByTestId('resume-session')).toBeNull();
    stop();
  });

  it('Exit is one click away and logs out', async () => {
    const calls = mockShell({ logout: () => null });
    applyBoot(boot());
    app.signedIn = true;
    render(App);
    screen.getByTestId('exit-button').click();
    await waitFor(() => screen.getByTestId('login-phone'));
    expect(calls.some((c) => c.cmd === 'logout')).toBe(true);
  });

  it('tops up; a declined card says so; a second step asks for the code (ACC-10)', async () => {
    mockShell({
      topup: (a) =>
        a.cardNumber === '4000000000000002'
          ? fail('card_declined')
          : a.cardNumber === '4000000000003220'
            ? { payment_id: 'p1', status: 'action_required', balance_kop: 123456 }
            : { payment_id: 'p0', status: 'succeeded', balance_kop: 173456 },
      topup_confirm: () => ({ payment_id: 'p1', status: 'succeeded', balance_kop: 173456 }),
      home: () => cached(overview({ balance_kop: 173456 }), false, Date.now()),
    });
    applyBoot(boot());
    app.signedIn = true;
    render(App);
    const { fireEvent } = await import('@testing-library/svelte');
    screen.getByTestId('home-topup').click();
    const card = await screen.findByTestId('topup-card');
    await fireEvent.input(card, { target: { value: '4000000000000002' } });
    screen.getByTestId('topup-submit').click();
    await waitFor(() => expect(screen.getByTestId('topup-error').textContent).toMatch(/declined/));
    await fireEvent.input(card, { target: { value: '4000000000003220' } });
    screen.getByTestId('topup-submit').click();
    const code = (await screen.findByTestId('topup-code')) as HTMLInputElement;
    // The bank's own code fills the field (INBOX-3, issue 13 item 3); a fraud one does not.
    const { shellEmit } = await import('./helpers');
    const login = app.account?.login ?? '';
    const msg = (sender: string, verdict: string, c: string | null) => ({ id: 1, sender, text: 't', code: c, verdict, received_ms: 1, received_at: '' });
    await shellEmit('sms-received', { number: login, message: msg('+79990001122', 'fraud', null) });
    expect(code.value).toBe('');
    await shellEmit('sms-received', { number: login, message: msg('BANK', 'genuine', '482913') });
    await waitFor(() => expect(code.value).toBe('482913'));
    expect(screen.getByTestId('topup-code-filled').textContent).toMatch(/BANK/);
    await fireEvent.input(code, { target: { value: '123456' } });
    screen.getByTestId('topup-confirm').click();
    await waitFor(() => expect(plain(screen.getByTestId('topup-done').textContent)).toMatch(/₽1,734.56/));
  });
});

describe('A damaged cache (CACHE-3)', () => {
  it('says once that the cache was rebuilt, on the first screen, until closed', async () => {
    mockShell({});
    applyBoot(boot({ cache_healed: { damaged_path: '/data/cache.db.damaged-20261202T080000Z', reason: 'file is not a database' } }));
    render(App);
    const n = screen.getByTestId('cache-healed');
    expect(n.textContent).toMatch(/damaged/);
    expect(n.textContent).not.toMatch(/cache\.db/);
    screen.getByTestId('cache-healed-close').click();
    await waitFor(() => expect(screen.queryByTestId('cache-healed')).toBeNull());
  });

  it('says nothing when the cache was sound', () => {
    mockShell({});
    applyBoot(boot());
    render(App);
    expect(screen.queryByTestId('cache-healed')).toBeNull();
  });
});
