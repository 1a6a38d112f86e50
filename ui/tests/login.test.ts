import { describe, expect, it } from 'vitest';
import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import App from '../src/App.svelte';
import { app, applyBoot } from '../src/lib/store.svelte';
import { boot, cached, fail, mockShell, outcome, overview, shellEmit } from './helpers';

const loginBoot = () => boot({ account: null, home: null, accounts: [] });
const captcha = () => ({ id: 'c1', png_base64: 'iVBORw0KGgo=', expires_in_s: 120 });

function type(testid: string, value: string) {
  return fireEvent.input(screen.getByTestId(testid), { target: { value } });
}

/** Answers the recovery panel's captcha and asks for the letter (`recovery-resend`: again). */
async function askRecovery(answer = 'aB3dE', button: 'recovery-send' | 'recovery-resend' = 'recovery-send') {
  await waitFor(() => screen.getByTestId('recovery-captcha-image'));
  await type('recovery-captcha-input', answer);
  screen.getByTestId(button).click();
}

describe('Login (AUTH-1..4, 10, 12)', () => {
  it('shows the four account tabs and the embedded-operator note', () => {
    mockShell({});
    applyBoot(loginBoot());
    render(App);
    for (const k of ['mobile', 'home', 'satellite', 'banking']) expect(screen.getByTestId(`login-tab-${k}`)).toBeTruthy();
    expect(screen.getByTestId('login-embedded').textContent).toMatch(/Demo operator running on this computer/);
    expect((screen.getByTestId('remember-device') as HTMLInputElement).checked).toBe(true);
  });

  it('masks the number and refuses what is not a phone', async () => {
    mockShell({});
    applyBoot(loginBoot());
    render(App);
    await type('login-phone', '8 (916) 1234567');
    expect((screen.getByTestId('login-phone') as HTMLInputElement).value).toBe('+7 916 123-45-67');
    await type('login-phone', '12');
    await type('login-password', 'x');
    screen.getByTestId('login-submit').click();
    await waitFor(() => screen.getByTestId('login-phone-error'));
  });

  it('auth3 an empty password is marked under the password, not the phone (issue 13, item 10)', async () => {
    const calls = mockShell({});
    applyBoot(loginBoot());
    render(App);
    await type('login-phone', '9161234567');
    screen.getByTestId('login-submit').click();
    await waitFor(() => screen.getByTestId('login-password-error'));
    expect(screen.getByTestId('login-password-error').textContent).toMatch(/Enter the password/);
    expect(screen.queryByTestId('login-phone-error')).toBeNull();
    expect(screen.getByTestId('login-phone').getAttribute('aria-invalid')).toBe('false');
    expect(screen.getByTestId('login-password').getAttribute('aria-invalid')).toBe('true');
    expect(calls.some((c) => c.cmd === 'login_password')).toBe(false);
  });

  it('auth3 a 5,000-character password says which field and why (issue 13, item 12)', async () => {
    const calls = mockShell({});
    applyBoot(loginBoot());
    render(App);
    await type('login-phone', '9161234567');
    await type('login-password', 'x'.repeat(5000));
    screen.getByTestId('login-submit').click();
    await waitFor(() => screen.getByTestId('login-password-error'));
    expect(screen.getByTestId('login-password-error').textContent).toBe('⨯ The password is at most 128 characters long; this one has 5000. Check what was pasted into the password field.');
    expect(calls.some((c) => c.cmd === 'login_password')).toBe(false);
  });

  // The contract and banking tabs keep the mobile tab's rule (issue 13, items 10 and 12): the
  // password's own mistake under the password, with its reason, and nothing sent.
  for (const tab of ['home', 'banking'] as const) {
    it(`auth1 on the ${tab} tab an empty or 5,000-character password is marked under the password, nothing sent (issue 13, items 10 and 12)`, async () => {
      const calls = mockShell({ login_contract: () => fail('wrong_credentials'), login_password: () => fail('wrong_credentials') });
      const sent = () => calls.filter((c) => c.cmd === 'login_contract' || c.cmd === 'login_password');
      applyBoot(loginBoot());
      render(App);
      screen.getByTestId(`login-tab-${tab}`).click();
      await waitFor(() => screen.getByTestId('login-contract'));
      await type('login-contract', tab === 'banking' ? 'bank-ivanov' : '7700123456');
      const field = screen.getByTestId('login-password');
      const said = () => screen.getByTestId('login-password-error');
      screen.getByTestId('login-submit').click();
      await waitFor(() => said());
      expect(said().textContent).toBe('⨯ Enter the password.');
      expect(said().dataset.code).toBe('invalid_input');
      expect(field.getAttribute('aria-invalid')).toBe('true');
      expect(field.getAttribute('aria-describedby')).toBe(said().id);
      // Not the generic "some of the data is not right", and not the login field.
      expect(screen.queryByTestId('login-error')).toBeNull();
      expect(screen.queryByTestId('login-contract-error')).toBeNull();
      expect(screen.getByTestId('login-contract').getAttribute('aria-invalid')).toBe('false');
      await type('login-password', 'x'.repeat(5000));
      screen.getByTestId('login-submit').click();
      await waitFor(() => expect(said().textContent).toBe('⨯ The password is at most 128 characters long; this one has 5000. Check what was pasted into the password field.'));
      expect(field.getAttribute('aria-invalid')).toBe('true');
      expect(sent()).toHaveLength(0);
      // The positive control: a password that can be sent is sent, and the mark goes.
      await type('login-password', 'Home2026pass');
      screen.getByTestId('login-submit').click();
      await waitFor(() => expect(sent()).toHaveLength(1));
      expect(sent()[0]?.cmd).toBe(tab === 'banking' ? 'login_password' : 'login_contract');
      await waitFor(() => screen.getByTestId('login-error'));
      expect(screen.queryByTestId('login-password-error')).toBeNull();
      expect(field.getAttribute('aria-invalid')).toBe('false');
    });
  }

  it('auth1 an empty contract number is marked under that field, not as "some of the data is not right"', async () => {
    const calls = mockShell({});
    applyBoot(loginBoot());
    render(App);
    screen.getByTestId('login-tab-satellite').click();
    await waitFor(() => screen.getByTestId('login-contract'));
    await type('login-password', 'Home2026pass');
    screen.getByTestId('login-submit').click();
    await waitFor(() => screen.getByTestId('login-contract-error'));
    expect(screen.getByTestId('login-contract-error').textContent).toBe('⨯ Enter the contract number.');
    expect(screen.getByTestId('login-contract').getAttribute('aria-invalid')).toBe('true');
    expect(screen.queryByTestId('login-password-error')).toBeNull();
    expect(screen.queryByTestId('login-error')).toBeNull();
    expect(calls.some((c) => c.cmd === 'login_contract')).toBe(false);
  });

  it('inbox1 signed out, the phone opens on the typed number and says which phone it shows (issue 13, item 16)', async () => {
    const calls = mockShell({
      phone_inbox: () => [],
      phone_state: () => ({ number: '+79161234568', airplane: false, spam_blocker: false, on_net: false }),
    });
    applyBoot(loginBoot());
    render(App);
    await type('login-phone', '9161234568');
    screen.getByTestId('phone-open').click();
    await waitFor(() => screen.getByTestId('phone-showing'));
    expect(screen.getByTestId('phone-showing').textContent).toBe('Showing the phone with the number +7 916 123-45-68.');
    await waitFor(() => expect(calls.some((c) => c.cmd === 'phone_inbox')).toBe(true));
    expect(calls.filter((c) => c.cmd === 'phone_inbox').every((c) => c.args.phone === '+79161234568')).toBe(true);
  });

  it('signs in with a password and lands on Home with data', async () => {
    const calls = mockShell({
      login_password: () => outcome(),
      home: () => cached(overview(), false, Date.now()),
      clock_check: () => ({ operator_ms: 0, device_ms: 0, skew_ms: 0, warn: false }),
    });
    applyBoot(loginBoot());
    render(App);
    await type('login-phone', '9161234567');
    await type('login-password', 'Anna2026pass');
    screen.getByTestId('login-submit').click();
    await waitFor(() => screen.getByTestId('home-balance'));
    expect(calls.find((c) => c.cmd === 'login_password')?.args).toEqual({ login: '+79161234567', password: 'Anna2026pass', remember: true });
  });

  it('auth6 with no keyring the password login goes on to Home and says remember did not work (issue 12)', async () => {
    mockShell({
      login_password: () => ({
        ...outcome(),
        keyring_error: { code: 'keyring_unavailable', message: 'The system keyring is not available (no Secret Service).', field: null, attempts_left: null, retry_after_s: null, hint: null },
      }),
      home: () => cached(overview(), false, Date.now()),
      clock_check: () => ({ operator_ms: 0, device_ms: 0, skew_ms: 0, warn: false }),
    });
    applyBoot(loginBoot());
    render(App);
    await type('login-phone', '9161234567');
    await type('login-password', 'Anna2026pass');
    screen.getByTestId('login-submit').click();
    await waitFor(() => screen.getByTestId('home-balance'));
    expect(screen.getByTestId('keyring-warning').textContent).toMatch(/cannot remember you|keyring/i);
  });

  it('auth3 a second press while Rust reads the number sends nothing (one guess, one session)', async () => {
    const calls = mockShell({
      // Rust takes a moment to read the number: the second press lands meanwhile.
      read_phone: () => new Promise((ok) => setTimeout(() => ok('+79161234567'), 50)),
      login_password: () => fail('wrong_credentials', { attempts_left: 2 }),
    });
    applyBoot(loginBoot());
    render(App);
    await type('login-phone', '9161234567');
    await type('login-password', 'Anna2026pass');
    screen.getByTestId('login-submit').click();
    screen.getByTestId('login-submit').click();
    await waitFor(() => screen.getByTestId('attempts-left'));
    await new Promise((ok) => setTimeout(ok, 100));
    expect(calls.filter((c) => c.cmd === 'login_password')).toHaveLength(1);
  });

  it('says how many attempts are left, then the locked state (AUTH-3)', async () => {
    let left = 2;
    mockShell({ login_password: () => (left > 0 ? fail('wrong_credentials', { attempts_left: left-- }) : fail('password_locked')) });
    applyBoot(loginBoot());
    render(App);
    await type('login-phone', '+7 916 123-45-67');
    await type('login-password', 'nope');
    screen.getByTestId('login-submit').click();
    await waitFor(() => expect(screen.getByTestId('attempts-left').textContent).toMatch(/2 attempts left/));
    screen.getByTestId('login-submit').click();
    await waitFor(() => expect(screen.getByTestId('attempts-left').textContent).toMatch(/1 attempt left/));
    await type('login-password', 'nope');
    screen.getByTestId('login-submit').click();
    await waitFor(() => screen.getByTestId('login-locked'));
    expect(screen.getByTestId('login-error').textContent).toMatch(/locked/);
    screen.getByTestId('login-unlock').click();
    await waitFor(() => screen.getByTestId('sms-captcha-input'));
  });

  it('SMS password: captcha, countdown, and the code filled only from a genuine SMS for this number (AUTH-4, INBOX-3)', async () => {
    const calls = mockShell({
      captcha,
      watch_phone: () => null,
      request_sms_password: () => ({ resend_after_s: 60, expires_in_s: 300, resent_same_code: false, requests_left_this_hour: 4, challenge: 'ch-1' }),
      login_sms_code: () => outcome('+79161234567', { method: 'sms_code', offer_permanent_password: true }),
      home: () => cached(overview(), false, Date.now()),
    });
    applyBoot(loginBoot());
    render(App);
    await type('login-phone', '+7 916 123-45-67');
    screen.getByTestId('login-method-sms').click();
    await waitFor(() => screen.getByTestId('sms-captcha-image'));
    await type('sms-captcha-input', 'aB3dE');
    screen.getByTestId('sms-request').click();
    await waitFor(() => expect(screen.getByTestId('sms-resend-countdown').textContent).toMatch(/1:00|0:59/));
    expect((screen.getByTestId('sms-request') as HTMLButtonElement).disabled).toBe(true);
    expect(calls.find((c) => c.cmd === 'request_sms_password')?.args).toEqual({ phone: '+79161234567', captchaId: 'c1', captchaAnswer: 'aB3dE', challenge: null });
    expect(screen.getByTestId('sms-code').getAttribute('autocomplete')).toBe('one-time-code');

    const msg = (sender: string, verdict: string, code: string | null) => ({ id: 1, sender, text: 't', code, verdict, received_ms: 1, received_at: '' });
    await shellEmit('sms-received', { number: '+79161234567', message: msg('+79990001122', 'fraud', null) });
    await shellEmit('sms-received', { number: '+79160000000', message: msg('3339', 'genuine', 'ZZZ999') });
    // The bank's genuine code is for its payment, never for a login (INBOX-3).
    await shellEmit('sms-received', { number: '+79161234567', message: msg('BANK', 'genuine', '482913') });
    expect((screen.getByTestId('sms-code') as HTMLInputElement).value).toBe('');
    await shellEmit('sms-received', { number: '+79161234567', message: msg('3339', 'genuine', 'Xy7Kp2') });
    await waitFor(() => expect((screen.getByTestId('sms-code') as HTMLInputElement).value).toBe('Xy7Kp2'));
    expect(screen.getByTestId('sms-code-filled').textContent).toMatch(/3339/);

    screen.getByTestId('login-submit').click();
    await waitFor(() => screen.getByTestId('offer-permanent'));
    // The code goes with the challenge of our request: wrong codes are counted on it (SEC-2).
    expect(calls.find((c) => c.cmd === 'login_sms_code')?.args).toMatchObject({ phone: '+79161234567', code: 'Xy7Kp2', challenge: 'ch-1' });
  });

  it('a resend carries the challenge it holds; a code typed with no request of ours goes without one (SEC-2, AUTH-5)', async () => {
    let n = 0;
    const calls = mockShell({
      captcha: () => ({ ...captcha(), id: `c${++n}` }),
      watch_phone: () => null,
      request_sms_password: () => ({ resend_after_s: 0, expires_in_s: 300, resent_same_code: n > 1, requests_left_this_hour: 4, challenge: 'ch-1' }),
      login_sms_code: () => fail('code_wrong', { attempts_left: 4 }),
    });
    applyBoot(loginBoot());
    render(App);
    await type('login-phone', '+7 916 123-45-67');
    screen.getByTestId('login-method-sms').click();
    await waitFor(() => screen.getByTestId('sms-captcha-image'));
    // The 111 reply's code: typed without asking for an SMS password here.
    await type('sms-code', 'Ab3xYk');
    screen.getByTestId('login-submit').click();
    await waitFor(() => expect(calls.filter((c) => c.cmd === 'login_sms_code')).toHaveLength(1));
    expect(calls.find((c) => c.cmd === 'login_sms_code')?.args).toMatchObject({ code: 'Ab3xYk', challenge: null });
    await type('sms-captcha-input', 'aB3dE');
    await waitFor(() => expect((screen.getByTestId('sms-request') as HTMLButtonElement).disabled).toBe(false));
    screen.getByTestId('sms-request').click();
    await waitFor(() => screen.getByTestId('sms-sent'));
    await waitFor(() => expect(screen.getByTestId('sms-captcha-image').dataset.captchaId).toBe('c2'));
    await type('sms-captcha-input', 'xY7zQ');
    await waitFor(() => expect((screen.getByTestId('sms-request') as HTMLButtonElement).disabled).toBe(false));
    screen.getByTestId('sms-request').click();
    await waitFor(() => expect(calls.filter((c) => c.cmd === 'request_sms_password')).toHaveLength(2));
    const requests = calls.filter((c) => c.cmd === 'request_sms_password');
    expect(requests[0]?.args).toMatchObject({ challenge: null });
    expect(requests[1]?.args).toMatchObject({ challenge: 'ch-1' });
    await waitFor(() => expect((screen.getByTestId('login-submit') as HTMLButtonElement).disabled).toBe(false));
    screen.getByTestId('login-submit').click();
    await waitFor(() => expect(calls.filter((c) => c.cmd === 'login_sms_code')).toHaveLength(2));
    expect(calls.filter((c) => c.cmd === 'login_sms_code')[1]?.args).toMatchObject({ code: 'Ab3xYk', challenge: 'ch-1' });
  });

  it('a wrong captcha says so and brings a new picture', async () => {
    let n = 0;
    mockShell({ captcha: () => ({ ...captcha(), id: `c${++n}` }), watch_phone: () => null, request_sms_password: () => fail('captcha_wrong') });
    applyBoot(loginBoot());
    render(App);
    await type('login-phone', '9161234567');
    screen.getByTestId('login-method-sms').click();
    await waitFor(() => screen.getByTestId('sms-captcha-image'));
    await type('sms-captcha-input', 'abc');
    screen.getByTestId('sms-request').click();
    await waitFor(() => expect(screen.getByTestId('login-error').textContent).toMatch(/upper and lower case/));
    await waitFor(() => expect(n).toBe(2));
  });

  it('auth4 the hourly limit says so and offers the 111 command, not "the code is on its way" (issue 13, item 6)', async () => {
    mockShell({
      captcha,
      watch_phone: () => null,
      request_sms_password: () => fail('rate_limited', { retry_after_s: 3540 }),
      troubleshoot: () => ({ findings: [{ kind: 'hourly_limit', message: 'x', seconds: 3540 }], alternatives: [] }),
    });
    applyBoot(loginBoot());
    render(App);
    await type('login-phone', '9161234567');
    screen.getByTestId('login-method-sms').click();
    await waitFor(() => screen.getByTestId('sms-captcha-image'));
    await type('sms-captcha-input', 'abc');
    screen.getByTestId('sms-request').click();
    await waitFor(() => screen.getByTestId('login-error'));
    const said = screen.getByTestId('login-error').textContent ?? '';
    expect(said).toBe('Five codes were sent to this number in the last hour, the most an hour allows. Ask again in 59:00, or set a permanent password with the 111 command: send a free SMS “25 <password>” to 111.');
    expect(said).not.toMatch(/on its way/);
    screen.getByTestId('login-use-111').click();
    await waitFor(() => screen.getByTestId('trouble-111-password'));
    await waitFor(() => expect(screen.getByTestId('trouble-finding').dataset.kind).toBe('hourly_limit'));
  });

  it('auth4 the one-minute resend wait is no hourly limit and offers no 111 button', async () => {
    mockShell({ captcha, watch_phone: () => null, request_sms_password: () => fail('rate_limited', { retry_after_s: 42 }) });
    applyBoot(loginBoot());
    render(App);
    await type('login-phone', '9161234567');
    screen.getByTestId('login-method-sms').click();
    await waitFor(() => screen.getByTestId('sms-captcha-image'));
    await type('sms-captcha-input', 'abc');
    screen.getByTestId('sms-request').click();
    await waitFor(() => expect(screen.getByTestId('login-error').textContent).toMatch(/ask for it again in 0:42/));
    expect(screen.queryByTestId('login-use-111')).toBeNull();
  });

  it('inbox4 a mistyped number goes to the troubleshooter, which names it (not "enter the number")', async () => {
    const calls = mockShell({
      troubleshoot: () => ({ findings: [{ kind: 'mistyped_number', message: 'x' }], alternatives: [] }),
    });
    applyBoot(loginBoot());
    render(App);
    await type('login-phone', '916 12');
    screen.getByTestId('sms-not-arriving').click();
    await waitFor(() => expect(screen.getByTestId('trouble-finding').textContent).toMatch(/number looks mistyped/));
    expect(calls.find((c) => c.cmd === 'troubleshoot')?.args).toEqual({ phone: '+7 916 12' });
  });

  it('"Code not arriving?" shows the findings and the alternatives (INBOX-4)', async () => {
    mockShell({
      troubleshoot: () => ({
        findings: [{ kind: 'airplane_mode', message: 'x' }, { kind: 'resend_countdown', message: 'y', seconds: 42 }],
        alternatives: [{ kind: 'command111', message: '' }, { kind: 'call_support', message: '' }],
      }),
      request_password_by_111: () => null,
    });
    applyBoot(loginBoot());
    render(App);
    await type('login-phone', '9161234567');
    screen.getByTestId('sms-not-arriving').click();
    await waitFor(() => expect(screen.getAllByTestId('trouble-finding')).toHaveLength(2));
    expect(screen.getAllByTestId('trouble-finding')[0]?.textContent).toMatch(/Airplane mode is on/);
    expect(screen.getAllByTestId('trouble-finding')[1]?.textContent).toMatch(/0:42/);
    expect(screen.getByTestId('trouble-alt-111').textContent).toMatch(/111/);
    // Why a common password is refused, and what to choose instead (issue 13, item 5).
    expect(screen.getByTestId('trouble-alt-111').textContent).toMatch(/Common passwords are refused, such as a word with digits added \(Hello123\).*like Kettle7Orbit/);
    expect(screen.getByTestId('trouble-alt-0890').textContent).toMatch(/0890/);
    await type('trouble-111-password', 'November348');
    screen.getByTestId('trouble-111-send').click();
    await waitFor(() => screen.getByTestId('trouble-111-sent'));
  });

  it('auth1 a locked internet banking login says to call 0890, not to get an SMS password (issue 13, item 4)', async () => {
    mockShell({ login_password: () => fail('password_locked') });
    applyBoot(loginBoot());
    render(App);
    screen.getByTestId('login-tab-banking').click();
    await waitFor(() => screen.getByTestId('login-contract'));
    await type('login-contract', 'bank-ivanov');
    await type('login-password', 'Wrong2026pass');
    screen.getByTestId('login-submit').click();
    await waitFor(() => screen.getByTestId('login-locked'));
    const said = screen.getByTestId('login-error').textContent ?? '';
    expect(said).toMatch(/call support to unlock it \(free\): 0890/);
    expect(said).not.toMatch(/SMS password|e-mail/);
    expect(screen.getByTestId('login-error').querySelector('a')?.getAttribute('href')).toBe('tel:0890');
  });

  it('banking says to call 0890; contracts recover by e-mail', async () => {
    const calls = mockShell({
      captcha,
      request_recovery: () => ({ masked_email: 'h***@mail.example', expires_in_s: 600, challenge: 'rc-1' }),
      confirm_recovery: () => fail('code_wrong', { attempts_left: 4 }),
    });
    applyBoot(loginBoot());
    render(App);
    screen.getByTestId('login-tab-banking').click();
    await waitFor(() => expect(screen.getByTestId('banking-lost-password').textContent).toMatch(/0890/));
    screen.getByTestId('login-tab-home').click();
    await waitFor(() => screen.getByTestId('login-forgot'));
    await type('login-contract', '7700123456');
    screen.getByTestId('login-forgot').click();
    await askRecovery();
    await waitFor(() => expect(screen.getByTestId('recovery-sent').textContent).toMatch(/h\*\*\*@mail.example/));
    expect(calls.find((c) => c.cmd === 'request_recovery')?.args).toEqual({ contract: '7700123456', captchaId: 'c1', captchaAnswer: 'aB3dE' });
    // The confirmation carries the request's challenge (SEC-2).
    await type('recovery-code', 'Ab3xYk');
    await type('recovery-password', 'NewHome2026x');
    screen.getByTestId('recovery-confirm').click();
    await waitFor(() => expect(calls.filter((c) => c.cmd === 'confirm_recovery')).toHaveLength(1));
    expect(calls.find((c) => c.cmd === 'confirm_recovery')?.args).toMatchObject({ contract: '7700123456', challenge: 'rc-1', code: 'Ab3xYk' });
  });

  it('auth1 a recovery letter is asked for with a solved captcha, a new picture after each request (issue 11)', async () => {
    let n = 0;
    const calls = mockShell({
      captcha: () => ({ id: `c${++n}`, png_base64: 'iVBORw0KGgo=', expires_in_s: 120 }),
      request_recovery: (a) => (a.captchaId === 'c1' ? fail('captcha_wrong') : { masked_email: 'h***@mail.example', expires_in_s: 600, challenge: 'rc-1' }),
    });
    applyBoot(loginBoot());
    render(App);
    screen.getByTestId('login-tab-home').click();
    await waitFor(() => screen.getByTestId('login-forgot'));
    await type('login-contract', '7700123456');
    screen.getByTestId('login-forgot').click();
    await waitFor(() => screen.getByTestId('recovery-captcha-image'));
    const send = () => screen.getByTestId('recovery-send') as HTMLButtonElement;
    expect(send().disabled).toBe(true);
    await askRecovery('wrong');
    await waitFor(() => expect(screen.getByTestId('recovery-error').textContent).not.toBe(''));
    // The spent picture is replaced and its answer cleared: nothing goes out on the old one.
    await waitFor(() => expect(screen.getByTestId('recovery-captcha-image').dataset.captchaId).toBe('c2'));
    expect((screen.getByTestId('recovery-captcha-input') as HTMLInputElement).value).toBe('');
    expect(send().disabled).toBe(true);
    await askRecovery('xY7zQ');
    await waitFor(() => screen.getByTestId('recovery-sent'));
    const asked = calls.filter((c) => c.cmd === 'request_recovery').map((c) => c.args);
    expect(asked).toEqual([
      { contract: '7700123456', captchaId: 'c1', captchaAnswer: 'wrong' },
      { contract: '7700123456', captchaId: 'c2', captchaAnswer: 'xY7zQ' },
    ]);
    // A resend needs a new answer too.
    await waitFor(() => screen.getByTestId('recovery-captcha-image'));
    expect((screen.getByTestId('recovery-resend') as HTMLButtonElement).disabled).toBe(true);
  });

  it('auth1 a refused recovery marks the field the operator names (issue 10: field across IPC)', async () => {
    let refusal: { code: 'code_wrong' | 'weak_password'; field: string } = { code: 'code_wrong', field: 'code' };
    mockShell({
      captcha,
      request_recovery: () => ({ masked_email: 'h***@mail.example', expires_in_s: 600 }),
      confirm_recovery: () => fail(refusal.code, { field: refusal.field, attempts_left: 2 }),
    });
    applyBoot(loginBoot());
    render(App);
    screen.getByTestId('login-tab-home').click();
    await waitFor(() => screen.getByTestId('login-forgot'));
    await type('login-contract', '7700123456');
    screen.getByTestId('login-forgot').click();
    await askRecovery();
    await waitFor(() => screen.getByTestId('recovery-code'));
    await type('recovery-code', '111111');
    await type('recovery-password', 'Another2026pass');
    const code = screen.getByTestId('recovery-code');
    const password = screen.getByTestId('recovery-password');
    expect(code.getAttribute('aria-invalid')).toBe('false');
    await fireEvent.submit(screen.getByTestId('recovery-confirm').closest('form') as HTMLFormElement);
    await waitFor(() => expect(code.getAttribute('aria-invalid')).toBe('true'));
    expect(password.getAttribute('aria-invalid')).toBe('false');
    refusal = { code: 'weak_password', field: 'new_password' };
    await fireEvent.submit(screen.getByTestId('recovery-confirm').closest('form') as HTMLFormElement);
    await waitFor(() => expect(password.getAttribute('aria-invalid')).toBe('true'));
    expect(code.getAttribute('aria-invalid')).toBe('false');
  });

  it('"Letter not arriving?" checks the mailbox against the address written to (INBOX-4)', async () => {
    const calls = mockShell({
      captcha,
      request_recovery: () => ({ masked_email: 'o***@mail.example', expires_in_s: 600, challenge: 'rc-2' }),
      troubleshoot_mail: (a) =>
        a.address === 'orlov.sat@mail.example'
          ? {
              findings: [
                { kind: 'filter_to_spam', message: 'A filter…', detail: 'mymts' },
                { kind: 'letter_in_spam', message: 'In Spam' },
              ],
              alternatives: [{ kind: 'call_support', message: 'Call 0890' }],
            }
          : { findings: [{ kind: 'other_address', message: 'Elsewhere', detail: 'o***@mail.example' }], alternatives: [] },
    });
    applyBoot(loginBoot());
    render(App);
    screen.getByTestId('login-tab-satellite').click();
    await waitFor(() => screen.getByTestId('login-forgot'));
    await type('login-contract', '7700654321');
    screen.getByTestId('login-forgot').click();
    await askRecovery();
    await waitFor(() => screen.getByTestId('recovery-trouble'));
    screen.getByTestId('recovery-trouble').click();
    await waitFor(() => screen.getByTestId('trouble-mail-panel'));
    expect((screen.getByTestId('trouble-mail-check') as HTMLButtonElement).disabled).toBe(true);
    expect(screen.queryByTestId('trouble-alt-111')).toBeNull();
    expect(screen.getByTestId('trouble-alt-0890').textContent).toMatch(/0890/);
    await type('trouble-mail-address', 'petrov.home@mail.example');
    await fireEvent.submit(screen.getByTestId('trouble-mail-check').closest('form') as HTMLFormElement);
    await waitFor(() => expect(screen.getByTestId('trouble-finding').textContent).toMatch(/went to o\*\*\*@mail\.example, not to this address/));
    await type('trouble-mail-address', ' orlov.sat@mail.example ');
    await fireEvent.submit(screen.getByTestId('trouble-mail-check').closest('form') as HTMLFormElement);
    await waitFor(() => expect(screen.getAllByTestId('trouble-finding')).toHaveLength(2));
    const [filter, spam] = screen.getAllByTestId('trouble-finding');
    expect(filter?.dataset.kind).toBe('filter_to_spam');
    expect(filter?.textContent).toMatch(/files letters from “mymts” under Spam/);
    expect(spam?.textContent).toMatch(/Spam folder/);
    expect(calls.filter((c) => c.cmd === 'troubleshoot_mail').map((c) => c.args)).toEqual([
      { address: 'petrov.home@mail.example', sentTo: 'o***@mail.example' },
      { address: 'orlov.sat@mail.example', sentTo: 'o***@mail.example' },
    ]);
  });

  it('a full mailbox: the request is answered "sent", "Letter not arriving?" finds the mailbox full, a letter is deleted in the app, asked again (INBOX-2, INBOX-4, SEC-3)', async () => {
    let letters = [
      { id: 1, folder: 'inbox', from: 'sergey@mail.example', subject: 'Dacha video', body: '600 MB', attachment: null, received_ms: Date.now() },
      { id: 2, folder: 'inbox', from: 'shop@mail.example', subject: 'Catalogue', body: '300 MB', attachment: null, received_ms: Date.now() },
    ];
    let full = true;
    let asked = 0;
    const calls = mockShell({
      captcha,
      // The operator answers "sent" for every contract, also when the letter will bounce (SEC-3:
      // a refusal would tell a stranger about the owner's mailbox).
      request_recovery: () => ({ masked_email: 'k***@mail.example', expires_in_s: 600, challenge: `rc-${++asked}` }),
      troubleshoot_mail: () => ({ findings: full ? [{ kind: 'mailbox_full', message: 'Full' }] : [], alternatives: [] }),
      watch_mailbox: () => null,
      mailbox: () => ({
        state: { address: 'kozlov.full@mail.example', quota_bytes: 2000, used_bytes: full ? 2000 : 1400, filters: [], bounced: 1 },
        messages: letters,
      }),
      mail_delete: (a) => {
        letters = letters.filter((m) => m.id !== a.id);
        full = false;
        return null;
      },
      confirm_recovery: () => fail('code_wrong', { attempts_left: 4 }),
    });
    applyBoot(loginBoot());
    render(App);
    screen.getByTestId('login-tab-home').click();
    await waitFor(() => screen.getByTestId('login-forgot'));
    await type('login-contract', '7700999999');
    screen.getByTestId('login-forgot').click();
    await askRecovery();
    await waitFor(() => expect(screen.getByTestId('recovery-sent').textContent).toMatch(/k\*\*\*@mail.example/));
    // Nothing opens by itself: the letter is not coming, and the user asks why.
    expect(screen.queryByTestId('trouble-mail-panel')).toBeNull();
    expect(screen.queryByTestId('recovery-error')).toBeNull();
    screen.getByTestId('recovery-trouble').click();
    await waitFor(() => screen.getByTestId('trouble-mail-panel'));
    await type('trouble-mail-address', 'kozlov.full@mail.example');
    await fireEvent.submit(screen.getByTestId('trouble-mail-check').closest('form') as HTMLFormElement);
    await waitFor(() => expect(screen.getByTestId('trouble-finding').dataset.kind).toBe('mailbox_full'));
    expect(screen.getByTestId('trouble-finding').textContent).toMatch(/mailbox is full/);
    expect(calls.find((c) => c.cmd === 'troubleshoot_mail')?.args).toEqual({ address: 'kozlov.full@mail.example', sentTo: 'k***@mail.example' });
    // The fix is in the app: the mailbox opens on the address checked, and a letter is deleted.
    screen.getByTestId('trouble-mail-fix').click();
    await waitFor(() => expect(screen.getAllByTestId('mail-item')).toHaveLength(2));
    expect(screen.getByTestId('mail-full')).toBeTruthy();
    expect(calls.find((c) => c.cmd === 'mailbox')?.args.address).toBe('kozlov.full@mail.example');
    screen.getAllByTestId('mail-delete')[0]?.click();
    await waitFor(() => expect(screen.getAllByTestId('mail-item')).toHaveLength(1));
    expect(calls.find((c) => c.cmd === 'mail_delete')?.args).toEqual({ address: 'kozlov.full@mail.example', id: 1 });
    expect(screen.queryByTestId('mail-full')).toBeNull();
    screen.getByTestId('phone-close').click();
    // Asked again, with a new captcha answer: answered "sent", and the code goes with the new request.
    await askRecovery('xY7zQ', 'recovery-resend');
    await waitFor(() => expect(calls.filter((c) => c.cmd === 'request_recovery')).toHaveLength(2));
    expect(calls.filter((c) => c.cmd === 'request_recovery')[1]?.args).toEqual({ contract: '7700999999', captchaId: 'c1', captchaAnswer: 'xY7zQ' });
    await waitFor(() => expect(screen.getByTestId('recovery-sent').textContent).toMatch(/k\*\*\*@mail.example/));
    expect(screen.queryByTestId('recovery-error')).toBeNull();
    await type('recovery-code', 'Ab3xYk');
    await type('recovery-password', 'NewFull2026pass');
    screen.getByTestId('recovery-confirm').click();
    await waitFor(() => expect(calls.filter((c) => c.cmd === 'confirm_recovery')).toHaveLength(1));
    expect(calls.find((c) => c.cmd === 'confirm_recovery')?.args).toMatchObject({ contract: '7700999999', challenge: 'rc-2' });
  });

  it('a refused recovery request says why, with its code, and offers no mail troubleshooter: no letter went (INBOX-4)', async () => {
    mockShell({ captcha, request_recovery: () => fail('rate_limited', { message: 'A code was just sent.' }) });
    applyBoot(loginBoot());
    render(App);
    screen.getByTestId('login-tab-home').click();
    await waitFor(() => screen.getByTestId('login-forgot'));
    await type('login-contract', '7700123456');
    screen.getByTestId('login-forgot').click();
    await askRecovery();
    await waitFor(() => screen.getByTestId('recovery-error'));
    expect(screen.getByTestId('recovery-error').dataset.code).toBe('rate_limited');
    expect(screen.queryByTestId('trouble-mail-panel')).toBeNull();
    expect(screen.queryByTestId('recovery-trouble')).toBeNull();
  });

  it('a locked start shows no balance, asks for the fingerprint, and a refusal says why (AUTH-14)', async () => {
    let pass = false;
    const calls = mockShell({
      autologin: () => (pass ? outcome().session : fail('unlock_refused')),
      home: () => cached(overview()),
      clock_check: () => ({ device_ms: Date.now(), operator_ms: Date.now(), skew_ms: 0, warning: null }),
      app_info: () => boot().app,
    });
    const b = boot({ locked: true, home: null, app: { ...boot().app, biometric: true } });
    applyBoot(b);
    render(App);
    expect(screen.queryByTestId('home-balance')).toBeNull();
    expect(screen.getByTestId('unlock-panel').textContent).toMatch(/Welcome back, Anna Petrova/);
    // The other ways in stay below.
    expect(screen.getByTestId('login-tab-mobile')).toBeTruthy();
    screen.getByTestId('unlock-button').click();
    await waitFor(() => expect(screen.getByTestId('unlock-error').textContent).toMatch(/fingerprint or face check did not pass/));
    expect(app.route).toBe('login');
    pass = true;
    screen.getByTestId('unlock-button').click();
    await waitFor(() => screen.getByTestId('home-balance'));
    expect(app.locked).toBe(false);
    expect(calls.filter((c) => c.cmd === 'autologin')).toHaveLength(2);
  });

  it('an unlinked social account gets the way to link it (AUTH-12)', async () => {
    mockShell({ login_social: () => fail('social_not_linked') });
    applyBoot(loginBoot());
    render(App);
    screen.getByTestId('login-social').click();
    await waitFor(() => screen.getByTestId('social-username'));
    await type('social-username', 'boris.ivanov');
    await type('social-password', 'Social2026');
    screen.getByTestId('social-submit').click();
    await waitFor(() => expect(screen.getByTestId('social-how-to-link').textContent).toMatch(/Settings/));
  });

  it('asks to accept the agreement on first login (AUTH-10)', async () => {
    const calls = mockShell({
      login_password: () => outcome('+79161234567', { agreement_required: true }),
      agreement: () => ({ version: 3, title: 'System Use Agreement', text: 'Terms…' }),
      accept_agreement: () => null,
      home: () => cached(overview(), false, Date.now()),
    });
    applyBoot(loginBoot());
    render(App);
    await type('login-phone', '9161234567');
    await type('login-password', 'Anna2026pass');
    screen.getByTestId('login-submit').click();
    await waitFor(() => screen.getByTestId('agreement-accept'));
    expect(screen.getByTestId('agreement-text').textContent).toBe('Terms…');
    // Nothing goes on until it is accepted: no tabs, no account switcher (no "add account").
    expect(screen.queryByTestId('tab-home')).toBeNull();
    expect(screen.queryByTestId('account-switcher')).toBeNull();
    screen.getByTestId('agreement-accept').click();
    await waitFor(() => screen.getByTestId('home-balance'));
    expect(calls.some((c) => c.cmd === 'accept_agreement')).toBe(true);
    expect(app.route).toBe('home');
  });

  it('shows the on-net button when the gateway is there (AUTH-7)', () => {
    mockShell({});
    const b = loginBoot();
    b.app.gateway_url = 'http://127.0.0.1:8701';
    applyBoot(b);
    render(App);
    expect(screen.getByTestId('login-onnet')).toBeTruthy();
    // The app cannot see the SIM's data session from here: it never claims the phone is on it (issue 13, item 11).
    expect(screen.getByTestId('login-onnet').parentElement?.textContent).not.toMatch(/Your phone is on MTS mobile data/);
    expect(screen.getByTestId('login-onnet').parentElement?.textContent).toMatch(/If this device is on MTS mobile data/);
  });

  it('is in Russian when the settings say so', () => {
    mockShell({});
    applyBoot({ ...loginBoot(), settings: { language: 'ru', theme: 'dark', operator_url: null, world_url: null, device_sim: null, remember: false, biometric_unlock: false } });
    render(App);
    expect(screen.getByTestId('login-tab-mobile').textContent).toBe('Мобильная связь');
    expect(screen.getByTestId('login-embedded').textContent).toMatch(/Демо-оператор/);
    expect(document.documentElement.dataset.theme).toBe('dark');
    expect((screen.getByTestId('remember-device') as HTMLInputElement).checked).toBe(false);
  });
});
