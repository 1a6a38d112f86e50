// Money, phone numbers, dates, sizes, as each language writes them. Pure functions: tested alone.
export type Lang = 'ru' | 'en';

const LOCALE: Record<Lang, string> = { ru: 'ru-RU', en: 'en-GB' };
const moneyFmt = new Map<string, Intl.NumberFormat>();

/** Kopecks as the locale writes roubles: `1 234,56 ₽` / `₽1,234.56`; negative with a plain minus. */
export function money(kop: number, lang: Lang, opts: { whole?: boolean } = {}): string {
  const key = `${lang}:${opts.whole ? 1 : 0}`;
  let f = moneyFmt.get(key);
  if (!f) {
    const digits = opts.whole ? 0 : 2;
    f = new Intl.NumberFormat(lang === 'ru' ? 'ru-RU' : 'en-US', {
      style: 'currency',
      currency: 'RUB',
      currencyDisplay: 'narrowSymbol',
      minimumFractionDigits: digits,
      maximumFractionDigits: digits,
    });
    moneyFmt.set(key, f);
  }
  // U+2212 would be typographically nicer, but the brief asks for a plain minus.
  return f.format(kop / 100).replace('\u2212', '-');
}

/** A whole number with the locale's grouping: `100 000` / `100,000`. */
export function num(n: number, lang: Lang, maxFraction = 0): string {
  return new Intl.NumberFormat(lang === 'ru' ? 'ru-RU' : 'en-US', {
    maximumFractionDigits: maxFraction,
  }).format(n);
}

/**
 * `+7 916 123-45-67` for a number in the canonical form Rust sends (`+79161234567`); other
 * logins unchanged. Display only: what a typed number means is Rust's rule (`api.readPhone`).
 */
export function formatPhone(login: string): string {
  const m = /^\+7(\d{3})(\d{3})(\d{2})(\d{2})$/.exec(login);
  return m ? `+7 ${m[1]} ${m[2]}-${m[3]}-${m[4]}` : login;
}

/**
 * The +7 mask while typing: whatever the person typed (`8 (916)…`, `916…`, `+7 916…`), shown as
 * much of `+7 916 123-45-67` as there are digits for.
 */
export function maskPhone(typed: string): string {
  let d = typed.replace(/\D/g, '');
  if (d.length === 0) return typed.trim().startsWith('+') ? '+' : '';
  if (d[0] === '7' || d[0] === '8') d = d.slice(1);
  d = d.slice(0, 10);
  let out = '+7';
  if (d.length > 0) out += ' ' + d.slice(0, 3);
  if (d.length > 3) out += ' ' + d.slice(3, 6);
  if (d.length > 6) out += '-' + d.slice(6, 8);
  if (d.length > 8) out += '-' + d.slice(8, 10);
  return out;
}

/** `5 min ago` when recent, a date otherwise. */
export function relative(ms: number, nowMs: number, lang: Lang): string {
  const diff = Math.round((ms - nowMs) / 1000);
  const abs = Math.abs(diff);
  const rtf = new Intl.RelativeTimeFormat(LOCALE[lang], { numeric: 'auto' });
  if (abs < 45) return rtf.format(0, 'second');
  if (abs < 45 * 60) return rtf.format(Math.round(diff / 60), 'minute');
  if (abs < 20 * 3600) return rtf.format(Math.round(diff / 3600), 'hour');
  if (abs < 6 * 86400) return rtf.format(Math.round(diff / 86400), 'day');
  return dateTime(ms, lang);
}

export function dateTime(ms: number, lang: Lang): string {
  return new Intl.DateTimeFormat(LOCALE[lang], {
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
  }).format(ms);
}

export function monthName(yyyyMm: string, lang: Lang): string {
  const [y, m] = yyyyMm.split('-').map(Number);
  if (!y || !m) return yyyyMm;
  return new Intl.DateTimeFormat(LOCALE[lang], { month: 'short', year: '2-digit' }).format(
    Date.UTC(y, m - 1, 15),
  );
}

/** `m:ss`, for countdowns and call durations under an hour; `h:mm:ss` above. */
export function clock(totalSeconds: number): string {
  const s = Math.max(0, Math.floor(totalSeconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/** Kilobytes as KB / MB / GB in the locale. */
export function volume(kb: number, lang: Lang): string {
  const u = lang === 'ru' ? (['КБ', 'МБ', 'ГБ'] as const) : (['KB', 'MB', 'GB'] as const);
  if (kb < 1024) return `${num(kb, lang)} ${u[0]}`;
  if (kb < 1024 * 1024) return `${num(kb / 1024, lang, 1)} ${u[1]}`;
  return `${num(kb / 1024 / 1024, lang, 2)} ${u[2]}`;
}

/** Card number in groups of four as typed. */
export function maskCard(typed: string): string {
  return typed
    .replace(/\D/g, '')
    .slice(0, 19)
    .replace(/(\d{4})(?=\d)/g, '$1 ');
}
