import { describe, expect, it } from 'vitest';
import { clock, formatPhone, maskCard, maskPhone, money, relative, volume } from '../src/lib/format';
import { plain } from './helpers';

describe('money (kopecks as the locale writes roubles)', () => {
  it('writes Russian with space groups, comma decimals and ₽ after', () => {
    expect(plain(money(123456, 'ru'))).toBe('1 234,56 ₽');
  });
  it('writes English with ₽ before, comma groups and a point', () => {
    expect(plain(money(123456, 'en'))).toBe('₽1,234.56');
  });
  it('shows negative balances with a plain minus', () => {
    expect(plain(money(-5000, 'ru'))).toBe('-50,00 ₽');
    expect(plain(money(-5000, 'en'))).toBe('-₽50.00');
  });
  it('shows zero', () => {
    expect(plain(money(0, 'en'))).toBe('₽0.00');
  });
  it('can drop the kopecks', () => {
    expect(plain(money(30000, 'ru', { whole: true }))).toBe('300 ₽');
  });
});

describe('phone numbers (AUTH-2): shown here, read by Rust', () => {
  it('leaves what is not the canonical form alone: reading a typed number is Rust\'s rule', () => {
    expect(formatPhone('8 (916) 1234567')).toBe('8 (916) 1234567');
    expect(formatPhone('+791612345678')).toBe('+791612345678');
  });
  it('formats as +7 916 123-45-67 and leaves contract numbers alone', () => {
    expect(formatPhone('+79161234567')).toBe('+7 916 123-45-67');
    expect(formatPhone('bank-ivanov')).toBe('bank-ivanov');
  });
  it('masks while typing, whatever the prefix', () => {
    expect(maskPhone('8916')).toBe('+7 916');
    expect(maskPhone('8 (916) 1234567')).toBe('+7 916 123-45-67');
    expect(maskPhone('916123')).toBe('+7 916 123');
    expect(maskPhone('+7916123456789')).toBe('+7 916 123-45-67');
    expect(maskPhone('')).toBe('');
  });
});

describe('dates, durations, volumes', () => {
  const now = Date.UTC(2026, 2, 10, 12, 0, 0);
  it('is relative when recent', () => {
    expect(relative(now - 5 * 60_000, now, 'en')).toBe('5 minutes ago');
    expect(relative(now - 5 * 60_000, now, 'ru')).toBe('5 минут назад');
    expect(relative(now - 10_000, now, 'en')).toBe('now');
  });
  it('is absolute when old', () => {
    expect(relative(now - 30 * 86400_000, now, 'en')).toMatch(/2026/);
  });
  it('writes m:ss countdowns', () => {
    expect(clock(42)).toBe('0:42');
    expect(clock(60)).toBe('1:00');
    expect(clock(3725)).toBe('1:02:05');
    expect(clock(-3)).toBe('0:00');
  });
  it('writes volumes', () => {
    expect(volume(512, 'en')).toBe('512 KB');
    expect(plain(volume(2048, 'ru'))).toBe('2 МБ');
  });
  it('groups card numbers by four', () => {
    expect(maskCard('4242424242424242')).toBe('4242 4242 4242 4242');
  });
});

describe('spending chart legend (ACC-5)', () => {
  it("names each kind's own amount in the month under the cursor, not the stacked sum", async () => {
    const { legendValue } = await import('../src/screens/detail/SpendingChart.svelte');
    const months = [
      { month: '2026-10', calls_kop: 12000, sms_kop: 500, data_kop: 30000, subscriptions_kop: 55000 },
      { month: '2026-11', calls_kop: 100, sms_kop: 0, data_kop: 0, subscriptions_kop: 55000 },
    ];
    expect(plain(legendValue(months, 'data_kop', 0, 'en'))).toBe('₽300.00');
    expect(plain(legendValue(months, 'subscriptions_kop', 1, 'en'))).toBe('₽550.00');
    expect(legendValue(months, 'calls_kop', null, 'en')).toBe('');
    expect(legendValue(months, 'calls_kop', 5, 'en')).toBe('');
  });
});
