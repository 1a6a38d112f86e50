import { describe, expect, it } from 'vitest';
import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import App from '../src/App.svelte';
import { app, applyBoot, navigate } from '../src/lib/store.svelte';
import type { CallRecord, CallTotals, Service, Tariff } from '../src/bindings';
import { boot, cached, fail, mockShell, overview, plain, shellEmit } from './helpers';

function start(balance_kop = 123456) {
  applyBoot(boot({ home: cached(overview({ balance_kop }), true) }));
  app.signedIn = true;
}

const tariffs: Tariff[] = [
  { id: 'smart', name: 'Smart', description: 'd', monthly_fee_kop: 55000, change_fee_kop: 0, minutes: 500, sms: 100, data_mb: 20480 },
  { id: 'max', name: 'Max', description: 'd', monthly_fee_kop: 90000, change_fee_kop: 30000, minutes: 1500, sms: 500, data_mb: 51200 },
];
const services: Service[] = [
  { id: 'beep', name: 'Beep', description: 'd', connect_fee_kop: 0, monthly_fee_kop: 6000, connected: true },
  { id: 'tv', name: 'TV', description: 'd', connect_fee_kop: 10000, monthly_fee_kop: 29900, connected: false },
];

describe('Tariffs (ACC-2, ACC-4)', () => {
  it('loading, then the list with the price before the tap', async () => {
    mockShell({ tariffs: () => cached({ current_id: 'smart', tariffs }) });
    start();
    render(App);
    navigate('tariffs');
    await waitFor(() => screen.getByTestId('tariff-max'));
    expect(screen.getByTestId('tariff-current')).toBeTruthy();
    expect(plain(screen.getByTestId('tariff-change-max').textContent)).toBe('Switch for ₽300.00');
  });
  it('with a zero balance the change is disabled and says why', async () => {
    mockShell({ tariffs: () => cached({ current_id: 'smart', tariffs }) });
    start(0);
    render(App);
    navigate('tariffs');
    await waitFor(() => screen.getByTestId('tariff-max'));
    expect((screen.getByTestId('tariff-change-max') as HTMLButtonElement).disabled).toBe(true);
    expect(plain(screen.getByTestId('tariff-why-max').textContent)).toBe('ⓘ Your balance is ₽0.00: changing the tariff needs a positive balance. Top up first.');
  });
  it('a refusal after the request is shown too', async () => {
    mockShell({ tariffs: () => cached({ current_id: 'smart', tariffs }), change_tariff: () => fail('insufficient_funds') });
    start();
    render(App);
    navigate('tariffs');
    await waitFor(() => screen.getByTestId('tariff-change-max'));
    screen.getByTestId('tariff-change-max').click();
    await waitFor(() => expect(screen.getByTestId('tariff-error').textContent).toMatch(/Not enough money/));
    // The refusal carries its kind for machines too (issue 13, item 16).
    expect(screen.getByTestId('tariff-error').dataset.code).toBe('insufficient_funds');
  });
  it('error with Retry', async () => {
    mockShell({ tariffs: () => fail('unreachable') });
    start();
    render(App);
    navigate('tariffs');
    await waitFor(() => expect(screen.getByTestId('error-text').textContent).toMatch(/No connection/));
    expect(screen.getByTestId('error-state').dataset.code).toBe('unreachable');
    expect(screen.getByTestId('retry')).toBeTruthy();
  });
});

describe('Services (ACC-3, ACC-4)', () => {
  it('connected and available with the monthly total; connect charges', async () => {
    const calls = mockShell({ services: () => cached({ services, monthly_total_kop: 6000 }), connect_service: () => ({ charged_kop: 10000, balance_kop: 113456 }) });
    start();
    render(App);
    screen.getByTestId('tab-services').click();
    await waitFor(() => screen.getByTestId('service-tv'));
    expect(plain(screen.getByTestId('services-monthly-total').textContent)).toMatch(/₽60.00 a month/);
    expect(plain(screen.getByTestId('service-connect-tv').textContent)).toBe('Connect for ₽100.00');
    screen.getByTestId('service-connect-tv').click();
    await waitFor(() => screen.getByTestId('service-ok'));
    expect(calls.find((c) => c.cmd === 'connect_service')?.args).toEqual({ id: 'tv' });
  });
  it('negative balance: paid connect disabled with the reason; disconnect still works', async () => {
    mockShell({ services: () => cached({ services, monthly_total_kop: 6000 }) });
    start(-5000);
    render(App);
    screen.getByTestId('tab-services').click();
    await waitFor(() => screen.getByTestId('service-tv'));
    expect((screen.getByTestId('service-connect-tv') as HTMLButtonElement).disabled).toBe(true);
    expect(screen.getByTestId('service-why-tv').textContent).toMatch(/Top up/);
    expect((screen.getByTestId('service-disconnect-beep') as HTMLButtonElement).disabled).toBe(false);
  });
  it('acc4 zero balance: a service with only a monthly fee is not offered "for free" (issue 13, item 14)', async () => {
    const monthlyOnly: Service = { id: 'guard', name: 'Guard', description: 'd', connect_fee_kop: 0, monthly_fee_kop: 5000, connected: false };
    mockShell({ services: () => cached({ services: [...services, monthlyOnly], monthly_total_kop: 6000 }) });
    start(0);
    render(App);
    screen.getByTestId('tab-services').click();
    await waitFor(() => screen.getByTestId('service-guard'));
    const button = screen.getByTestId('service-connect-guard') as HTMLButtonElement;
    expect(plain(button.textContent)).toBe('Connect (₽50.00 a month)');
    expect(button.disabled).toBe(true);
    expect(plain(screen.getByTestId('service-why-guard').textContent)).toBe('ⓘ Your balance is ₽0.00: connecting a paid service needs a positive balance. Top up first.');
    expect(screen.getByTestId('services-paid').parentElement?.textContent).not.toMatch(/for free/i);
  });
  it('acc4 a positive balance short of the fee says the balance and the fee', async () => {
    mockShell({ services: () => cached({ services, monthly_total_kop: 6000 }) });
    start(5000);
    render(App);
    screen.getByTestId('tab-services').click();
    await waitFor(() => screen.getByTestId('service-tv'));
    expect(plain(screen.getByTestId('service-why-tv').textContent)).toBe('ⓘ Your balance is ₽50.00, and connecting costs ₽100.00. Top up first.');
  });
  it('empty', async () => {
    mockShell({ services: () => cached({ services: [], monthly_total_kop: 0 }) });
    start();
    render(App);
    screen.getByTestId('tab-services').click();
    await waitFor(() => screen.getByTestId('services-empty'));
  });
});

describe('Call detail (ACC-5)', () => {
  const N = 100_000;
  const rec = (i: number): CallRecord => ({ id: i, at_ms: Date.now() - i * 60_000, kind: 'call', direction: 'outgoing', party: '+79161110000', duration_s: 65, volume_kb: 0, cost_kop: 150 });
  const totals = (count: number): CallTotals => {
    const k = { count, duration_s: 0, volume_kb: 0, cost_kop: count * 150 };
    return { all: k, call: k, sms: { ...k, count: 0 }, data: { ...k, count: 0 } };
  };

  it('keeps only a window of 100,000 rows in the DOM and shows totals', async () => {
    const calls = mockShell({
      calls_page: (a) => {
        const off = a.offset as number;
        const lim = a.limit as number;
        return cached({ records: Array.from({ length: Math.max(0, Math.min(lim, N - off)) }, (_, k) => rec(off + k)), totals: totals(N) });
      },
      calls_sync: () => N,
      calls_monthly: () => [{ month: '2026-02', calls_kop: 10000, sms_kop: 500, data_kop: 2000, subscriptions_kop: 6000 }],
    });
    start();
    render(App);
    screen.getByTestId('tab-detail').click();
    await waitFor(() => screen.getAllByTestId('detail-row'));
    expect(plain(screen.getByTestId('detail-totals').textContent)).toBe('100,000 records · ₽150,000.00');
    expect(screen.getAllByTestId('virtual-row').length).toBeLessThan(60);
    expect(screen.getAllByTestId('detail-row')[0]?.textContent).toMatch(/\+7 916 111-00-00/);
    // Scroll far down: still a window, and the pages it needs get fetched.
    const list = screen.getByTestId('detail-list');
    list.scrollTop = 56 * 50_000;
    await fireEvent.scroll(list);
    await waitFor(() => expect(calls.some((c) => c.cmd === 'calls_page' && (c.args.offset as number) === 50_000)).toBe(true));
    expect(screen.getAllByTestId('virtual-row').length).toBeLessThan(60);
    // The chart's table view.
    await waitFor(() => screen.getByTestId('chart-table'));
    expect(plain(screen.getByTestId('chart-table').textContent)).toMatch(/₽185.00/);
  });

  it('filters by kind and searches by number', async () => {
    const calls = mockShell({ calls_page: () => cached({ records: [], totals: totals(0) }), calls_sync: () => 0, calls_monthly: () => [] });
    start();
    render(App);
    screen.getByTestId('tab-detail').click();
    await waitFor(() => screen.getByTestId('detail-empty'));
    screen.getByTestId('detail-kind-sms').click();
    await fireEvent.input(screen.getByTestId('detail-search'), { target: { value: '+7 916' } });
    await waitFor(() => {
      const f = calls.filter((c) => c.cmd === 'calls_page').at(-1)?.args.filter as { kind: string; search: string };
      expect(f.kind).toBe('sms');
      expect(f.search).toBe('7916');
    });
  });

  it('orders by e-mail and exports CSV', async () => {
    mockShell({
      calls_page: () => cached({ records: [rec(0)], totals: totals(1) }),
      calls_sync: () => 1,
      calls_monthly: () => [],
      calls_order: () => ({ email: 'anna@mail.example', records: 1 }),
      calls_export_csv: () => '/home/anna/Downloads/printout.csv',
    });
    start();
    render(App);
    screen.getByTestId('tab-detail').click();
    await waitFor(() => screen.getByTestId('detail-order'));
    screen.getByTestId('detail-order').click();
    await waitFor(() => expect(screen.getByTestId('detail-done').textContent).toMatch(/anna@mail.example/));
    screen.getByTestId('detail-export').click();
    await waitFor(() => expect(screen.getByTestId('detail-done').textContent).toMatch(/printout.csv/));
  });

  it('says an order is under way and takes no second click until it is done', async () => {
    let finish: (v: unknown) => void = () => {};
    const calls = mockShell({
      calls_page: () => cached({ records: [rec(0)], totals: totals(1) }),
      calls_sync: () => 1,
      calls_monthly: () => [],
      calls_order: () => new Promise((r) => (finish = r)),
    });
    start();
    render(App);
    screen.getByTestId('tab-detail').click();
    await waitFor(() => screen.getByTestId('detail-order'));
    screen.getByTestId('detail-order').click();
    await waitFor(() => expect(screen.getByTestId('detail-pending').textContent).toMatch(/Preparing the printout/));
    expect((screen.getByTestId('detail-order') as HTMLButtonElement).disabled).toBe(true);
    expect((screen.getByTestId('detail-export') as HTMLButtonElement).disabled).toBe(true);
    screen.getByTestId('detail-order').click();
    finish({ email: 'anna@mail.example', records: 1 });
    await waitFor(() => expect(screen.getByTestId('detail-done').textContent).toMatch(/anna@mail.example/));
    expect(screen.queryByTestId('detail-pending')).toBeNull();
    expect((screen.getByTestId('detail-order') as HTMLButtonElement).disabled).toBe(false);
    expect(calls.filter((c) => c.cmd === 'calls_order')).toHaveLength(1);
  });

  it('error with Retry', async () => {
    mockShell({ calls_page: () => fail('cache'), calls_sync: () => 0, calls_monthly: () => [] });
    start();
    render(App);
    screen.getByTestId('tab-detail').click();
    await waitFor(() => screen.getByTestId('detail-error-state'));
  });
});

describe('Settings (ACC-8, AUTH-9) and activity (AUTH-11)', () => {
  it('shows the strength meter from passwordStrength and changes the password', async () => {
    const calls = mockShell({
      password_strength: (a) => ({ score: (a.password as string).length > 10 ? 4 : 1, ok: true, problems: [] }),
      change_password: () => ({ other_sessions_revoked: 2 }),
      settings_set: (a) => a.settings,
    });
    start();
    render(App);
    screen.getByTestId('tab-settings').click();
    await waitFor(() => screen.getByTestId('settings-new-password'));
    await fireEvent.input(screen.getByTestId('settings-old-password'), { target: { value: 'Anna2026pass' } });
    await fireEvent.input(screen.getByTestId('settings-new-password'), { target: { value: 'Longer2026Pass!' } });
    await waitFor(() => expect(screen.getByTestId('password-strength').dataset.score).toBe('4'));
    await fireEvent.input(screen.getByTestId('settings-repeat-password'), { target: { value: 'Longer2026Pass!' } });
    screen.getByTestId('settings-password-submit').click();
    await waitFor(() => expect(screen.getByTestId('password-changed').textContent).toMatch(/2 sessions ended/));
    expect(calls.find((c) => c.cmd === 'change_password')?.args).toEqual({ oldPassword: 'Anna2026pass', newPassword: 'Longer2026Pass!', signOutOthers: true });
  });
  it('sec4 a refusal for want of fresh proof offers an SMS sign-in on the number, in SMS mode', async () => {
    const calls = mockShell({
      password_strength: () => ({ score: 4, ok: true, problems: [] }),
      change_password: () => fail('fresh_proof_required', { field: 'old_password' }),
      settings_set: (a) => a.settings,
    });
    start();
    app.account = { login: '+79161234571', kind: 'mobile', name: 'Elena Volkova' };
    render(App);
    screen.getByTestId('tab-settings').click();
    await waitFor(() => screen.getByTestId('settings-new-password'));
    await fireEvent.input(screen.getByTestId('settings-new-password'), { target: { value: 'Harbor2026Quill' } });
    await fireEvent.input(screen.getByTestId('settings-repeat-password'), { target: { value: 'Harbor2026Quill' } });
    screen.getByTestId('settings-password-submit').click();
    await waitFor(() => screen.getByTestId('settings-reprove-sms'));
    expect(screen.getByTestId('password-error').textContent).toMatch(/SMS password/);
    screen.getByTestId('settings-reprove-sms').click();
    await waitFor(() => screen.getByTestId('login-reprove'));
    expect(calls.some((c) => c.cmd === 'logout')).toBe(true);
    expect((screen.getByTestId('login-phone') as HTMLInputElement).value).toBe('+7 916 123-45-71');
    expect(screen.getByTestId('login-method-sms').getAttribute('aria-selected')).toBe('true');
    expect(app.reprove).toBeNull();
  });
  it('switches language to Russian at once and saves it', async () => {
    const calls = mockShell({ settings_set: (a) => a.settings });
    start();
    render(App);
    screen.getByTestId('tab-settings').click();
    await waitFor(() => screen.getByTestId('settings-language'));
    await fireEvent.change(screen.getByTestId('settings-language'), { target: { value: 'ru' } });
    await waitFor(() => expect(screen.getByTestId('tab-settings').textContent).toContain('Настройки'));
    expect(calls.find((c) => c.cmd === 'settings_set')?.args.settings).toMatchObject({ language: 'ru' });
  });
  it('offers the fingerprint check only where the device has one, and saves it (AUTH-14)', async () => {
    const calls = mockShell({ settings_set: (a) => a.settings });
    start();
    render(App);
    screen.getByTestId('tab-settings').click();
    await waitFor(() => screen.getByTestId('settings-remember'));
    expect(screen.queryByTestId('settings-biometric')).toBeNull();
    app.info = { ...boot().app, biometric: true };
    await waitFor(() => screen.getByTestId('settings-biometric'));
    await fireEvent.click(screen.getByTestId('settings-biometric'));
    await waitFor(() => expect(calls.find((c) => c.cmd === 'settings_set')?.args.settings).toMatchObject({ biometric_unlock: true }));
  });
  it('"Remember this device" off asks first, then forgets the device; cancel changes nothing (issue 13 item 7)', async () => {
    const calls = mockShell({ settings_set: (a) => a.settings, forget_device: () => ({ ...boot().settings, remember: false }) });
    start();
    render(App);
    navigate('settings');
    await waitFor(() => screen.getByTestId('settings-remember'));
    const box = () => screen.getByTestId('settings-remember') as HTMLInputElement;
    expect(box().checked).toBe(true);
    await fireEvent.click(box());
    await waitFor(() => screen.getByTestId('forget-dialog'));
    expect(screen.getByTestId('forget-dialog').textContent).toMatch(/keyring/);
    expect(screen.getByTestId('forget-dialog').textContent).toMatch(/next time the app starts it asks you to sign in/);
    expect(box().checked).toBe(true);
    screen.getByTestId('forget-cancel').click();
    await waitFor(() => expect(screen.queryByTestId('forget-dialog')).toBeNull());
    expect(box().checked).toBe(true);
    expect(calls.filter((c) => c.cmd === 'forget_device' || c.cmd === 'settings_set')).toEqual([]);
    await fireEvent.click(box());
    await waitFor(() => screen.getByTestId('forget-confirm'));
    screen.getByTestId('forget-confirm').click();
    await waitFor(() => screen.getByTestId('forget-done'));
    expect(calls.filter((c) => c.cmd === 'forget_device')).toHaveLength(1);
    expect(app.settings.remember).toBe(false);
    expect(box().checked).toBe(false);
    expect(app.signedIn).toBe(true);
  });
  it('a failed forget is said and the switch stays on', async () => {
    mockShell({ forget_device: () => fail('keyring_unavailable') });
    start();
    render(App);
    navigate('settings');
    await waitFor(() => screen.getByTestId('settings-remember'));
    await fireEvent.click(screen.getByTestId('settings-remember'));
    await waitFor(() => screen.getByTestId('forget-confirm'));
    screen.getByTestId('forget-confirm').click();
    await waitFor(() => screen.getByTestId('forget-error'));
    expect((screen.getByTestId('settings-remember') as HTMLInputElement).checked).toBe(true);
    expect(app.settings.remember).toBe(true);
  });
  it('points the app at a standalone operator from Settings, and a bad address is said, not kept', async () => {
    const calls = mockShell({
      settings_set: (a) => {
        const s = a.settings as { operator_url: string | null };
        if (s.operator_url && !/^https?:\/\//.test(s.operator_url)) fail('invalid_input');
        return { ...s, operator_url: s.operator_url?.replace(/\/$/, '') ?? null };
      },
    });
    start();
    render(App);
    navigate('settings');
    await waitFor(() => screen.getByTestId('settings-operator-url'));
    expect(screen.getByTestId('settings-operator-now').textContent).toMatch(/demo operator/);
    await fireEvent.input(screen.getByTestId('settings-operator-url'), { target: { value: 'ftp://x' } });
    screen.getByTestId('settings-operator-save').click();
    await waitFor(() => screen.getByTestId('operator-error'));
    expect(app.settings.operator_url).toBeNull();
    await fireEvent.input(screen.getByTestId('settings-operator-url'), { target: { value: ' http://127.0.0.1:8700/ ' } });
    screen.getByTestId('settings-operator-save').click();
    await waitFor(() => screen.getByTestId('operator-saved'));
    expect(app.settings.operator_url).toBe('http://127.0.0.1:8700');
    expect(calls.filter((c) => c.cmd === 'settings_set').at(-1)?.args.settings).toMatchObject({ operator_url: 'http://127.0.0.1:8700/' });
  });

  it('lists sessions and signs out the others', async () => {
    mockShell({
      device_sessions: () => [{ id: 'a', method: 'password', device: { name: 'mymts', platform: 'linux' }, created_ms: 1, last_seen_ms: Date.now(), current: true }],
      activity: () => ({ entries: [
        { id: 2, at_ms: Date.now(), action: 'tariff_changed', channel: 'app', device: 'mymts', detail: 'smart -> max' },
        { id: 1, at_ms: Date.now(), action: 'brand_new_action', channel: 'app', device: 'mymts', detail: '' },
      ], next_before: null }),
      revoke_other_sessions: () => ({ revoked: 3 }),
    });
    start();
    render(App);
    navigate('activity');
    await waitFor(() => screen.getAllByTestId('activity-row'));
    const rows = screen.getAllByTestId('activity-row').map((r) => r.textContent ?? '');
    // Actions read as words in the user's language; one the app does not know shows its code.
    expect(rows[0]).toMatch(/^Tariff changed/);
    expect(rows[1]).toMatch(/^brand_new_action/);
    screen.getByTestId('sign-out-others').click();
    await waitFor(() => expect(screen.getByTestId('sessions-msg').textContent).toMatch(/3 sessions ended/));
  });
  it('help pages carry the article’s advice', async () => {
    mockShell({});
    start();
    render(App);
    navigate('help');
    await waitFor(() => screen.getByTestId('help-sms-not-arriving'));
    screen.getByTestId('help-toggle-sms-not-arriving').click();
    await waitFor(() => expect(screen.getByTestId('help-sms-not-arriving').textContent).toMatch(/Airplane mode/));
    expect(screen.getByTestId('help-support').textContent).toMatch(/0890/);
    // The 111 help says why a common password is refused and what to choose (issue 13, item 5).
    screen.getByTestId('help-toggle-command-111').click();
    await waitFor(() => expect(screen.getByTestId('help-command-111').textContent).toMatch(/Common passwords are refused, such as a word with digits added \(“Hello123”\).*like “Kettle7Orbit”/));
  });
});

describe('Simulated phone (INBOX-1..3)', () => {
  it('shows conversations, marks fraud, and receives new SMS live', async () => {
    mockShell({
      phone_inbox: () => [
        { id: 1, sender: '3339', text: 'Password: Xy7Kp2', code: 'Xy7Kp2', verdict: 'genuine', received_ms: Date.now(), received_at: '' },
        { id: 2, sender: '+79990001122', text: 'MTS: your account is blocked, send the code', code: null, verdict: 'fraud', received_ms: Date.now(), received_at: '' },
      ],
      phone_state: () => ({ number: '+79161234567', airplane: false, spam_blocker: false, on_net: false }),
      set_phone_state: (a) => ({ number: '+79161234567', airplane: (a.patch as { airplane: boolean | null }).airplane ?? false, spam_blocker: false, on_net: false }),
    });
    start();
    render(App);
    screen.getByTestId('phone-open').click();
    await waitFor(() => screen.getByTestId('phone-thread-3339'));
    expect(screen.getByTestId('phone-disclaimer')).toBeTruthy();
    expect(screen.getByTestId('phone-fraud').textContent).toMatch(/Likely fraud: not an operator number/);
    await fireEvent.click(screen.getByTestId('phone-airplane'));
    await waitFor(() => expect((screen.getByTestId('phone-airplane') as HTMLInputElement).checked).toBe(true));
    await shellEmit('sms-received', { number: '+79161234567', message: { id: 3, sender: '111', text: 'Reply', code: null, verdict: 'genuine', received_ms: Date.now() + 1, received_at: '' } });
    await waitFor(() => screen.getByTestId('phone-thread-111'));
  });
  it('mailbox with Inbox and Spam', async () => {
    mockShell({
      phone_inbox: () => [],
      phone_state: () => ({ number: '+79161234567', airplane: false, spam_blocker: false, on_net: false }),
      mailbox: (a) => ({
        state: { address: 'anna@mail.example', quota_bytes: 2000 * 1048576, used_bytes: 10 * 1048576, filters: [], bounced: 0 },
        messages: a.folder === 'spam' ? [{ id: 9, folder: 'spam', from: 'noreply@mts.sim', subject: 'Recovery code', body: '123456', attachment: null, received_ms: Date.now() }] : [],
      }),
    });
    start();
    render(App);
    screen.getByTestId('phone-open').click();
    await waitFor(() => screen.getByTestId('phone-tab-mail'));
    screen.getByTestId('phone-tab-mail').click();
    await waitFor(() => screen.getByTestId('mail-empty'));
    screen.getByTestId('mail-folder-spam').click();
    await waitFor(() => screen.getByTestId('mail-not-spam'));
  });
  it('signed out, the mailbox opens at a typed address (INBOX-2, e-mail recovery)', async () => {
    const calls = mockShell({
      watch_mailbox: () => null,
      mailbox: (a) => ({
        state: { address: a.address as string, quota_bytes: 2000 * 1048576, used_bytes: 0, filters: [], bounced: 0 },
        messages: [{ id: 3, folder: 'inbox', from: 'noreply@mymts.local', subject: 'Password recovery code', body: 'Code 482910', attachment: null, received_ms: Date.now() }],
      }),
    });
    applyBoot(boot({ account: null, home: null }));
    app.signedIn = false;
    render(App);
    screen.getByTestId('phone-open').click();
    await waitFor(() => screen.getByTestId('phone-tab-mail'));
    screen.getByTestId('phone-tab-mail').click();
    await waitFor(() => screen.getByTestId('mail-no-address'));
    await fireEvent.input(screen.getByTestId('mail-address'), { target: { value: ' home.client@mail.example ' } });
    screen.getByTestId('mail-address-go').click();
    await waitFor(() => expect(screen.getAllByTestId('mail-item')).toHaveLength(1));
    expect(calls.find((c) => c.cmd === 'mailbox')?.args.address).toBe('home.client@mail.example');
  });

  it('mailbox filters: changed and removed in the app through the operator (INBOX-2)', async () => {
    let filters = [
      { from_contains: 'shop.example', action: 'spam' },
      { from_contains: 'mymts', action: 'delete' },
    ];
    const calls = mockShell({
      phone_inbox: () => [],
      phone_state: () => ({ number: '+79161234567', airplane: false, spam_blocker: false, on_net: false }),
      watch_mailbox: () => null,
      mailbox: () => ({ state: { address: 'anna@mail.example', quota_bytes: 2000, used_bytes: 0, filters, bounced: 0 }, messages: [] }),
      mail_filters: (a) => {
        filters = a.filters as typeof filters;
        return { address: 'anna@mail.example', quota_bytes: 2000, used_bytes: 0, filters, bounced: 0 };
      },
    });
    start();
    render(App);
    screen.getByTestId('phone-open').click();
    await waitFor(() => screen.getByTestId('phone-tab-mail'));
    screen.getByTestId('phone-tab-mail').click();
    await waitFor(() => expect(screen.getAllByTestId('mail-filter')).toHaveLength(2));
    expect(screen.getAllByTestId('mail-filter')[1]?.dataset.action).toBe('delete');
    // Remove the deleting filter: the other one stays as it was.
    screen.getAllByTestId('mail-filter-remove')[1]?.click();
    await waitFor(() => expect(screen.getAllByTestId('mail-filter')).toHaveLength(1));
    expect(calls.filter((c) => c.cmd === 'mail_filters').at(-1)?.args).toEqual({
      address: 'anna@mail.example',
      filters: [{ from_contains: 'shop.example', action: 'spam' }],
    });
    // Change what the remaining one does.
    await fireEvent.change(screen.getByTestId('mail-filter-action'), { target: { value: 'delete' } });
    await waitFor(() => expect(screen.getByTestId('mail-filter').dataset.action).toBe('delete'));
    expect(filters).toEqual([{ from_contains: 'shop.example', action: 'delete' }]);
    await waitFor(() => expect((screen.getByTestId('mail-filter-remove') as HTMLButtonElement).disabled).toBe(false));
    screen.getByTestId('mail-filter-remove').click();
    await waitFor(() => screen.getByTestId('mail-filters-empty'));
    expect(filters).toEqual([]);
  });

  it('a refused filter change says why and keeps the filters (INBOX-2)', async () => {
    mockShell({
      phone_inbox: () => [],
      phone_state: () => ({ number: '+79161234567', airplane: false, spam_blocker: false, on_net: false }),
      watch_mailbox: () => null,
      mailbox: () => ({ state: { address: 'anna@mail.example', quota_bytes: 2000, used_bytes: 0, filters: [{ from_contains: 'mymts', action: 'delete' }], bounced: 0 }, messages: [] }),
      mail_filters: () => fail('not_found', { message: 'There is no such mailbox.' }),
    });
    start();
    render(App);
    screen.getByTestId('phone-open').click();
    await waitFor(() => screen.getByTestId('phone-tab-mail'));
    screen.getByTestId('phone-tab-mail').click();
    await waitFor(() => screen.getByTestId('mail-filter-remove'));
    screen.getByTestId('mail-filter-remove').click();
    await waitFor(() => screen.getByTestId('mail-error'));
    expect(screen.getAllByTestId('mail-filter')).toHaveLength(1);
  });

  it('mailbox follows its stream: a new letter shows without reopening (INBOX-2)', async () => {
    let letters = 0;
    const calls = mockShell({
      phone_inbox: () => [],
      phone_state: () => ({ number: '+79161234567', airplane: false, spam_blocker: false, on_net: false }),
      watch_mailbox: () => null,
      mailbox: () => ({
        state: { address: 'anna@mail.example', quota_bytes: 2000 * 1048576, used_bytes: 0, filters: [], bounced: 0 },
        messages: Array.from({ length: letters }, (_, i) => ({ id: i + 1, folder: 'inbox', from: 'noreply@mymts.local', subject: `Letter ${i + 1}`, body: '', attachment: null, received_ms: Date.now() })),
      }),
    });
    start();
    render(App);
    screen.getByTestId('phone-open').click();
    await waitFor(() => screen.getByTestId('phone-tab-mail'));
    screen.getByTestId('phone-tab-mail').click();
    await waitFor(() => screen.getByTestId('mail-empty'));
    expect(calls.find((c) => c.cmd === 'watch_mailbox')?.args).toEqual({ address: 'anna@mail.example' });
    letters = 1;
    // Another mailbox's letter changes nothing here.
    await shellEmit('mail-received', { address: 'boris@mail.example', mail: { id: 7, folder: 'inbox', from: 'x', subject: 'x', body: '', attachment: null, received_ms: 0 } });
    await new Promise((r) => setTimeout(r, 50));
    expect(screen.queryByTestId('mail-item')).toBeNull();
    await shellEmit('mail-received', { address: 'anna@mail.example', mail: { id: 1, folder: 'inbox', from: 'noreply@mymts.local', subject: 'Letter 1', body: '', attachment: null, received_ms: Date.now() } });
    await waitFor(() => expect(screen.getAllByTestId('mail-item')).toHaveLength(1));
  });
});
