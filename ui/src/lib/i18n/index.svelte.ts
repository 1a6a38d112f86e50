// A small typed i18n: `t('home.balance')` in the current language, reactive (reads a rune), so
// switching language re-renders every string in place.
import { en, type Key } from './en';
import { ru } from './ru';
import type { Lang } from '../format';

export type { Key, Lang };
export type LangSetting = Lang | 'system';
export type Params = Record<string, string | number>;

export const dictionaries: Record<Lang, Record<Key, string>> = { en, ru };

/** The language the system asks for: Russian for any `ru*`, English otherwise. */
export function systemLang(nav: { language?: string; languages?: readonly string[] } = globalThis.navigator ?? {}): Lang {
  const first = nav.languages?.[0] ?? nav.language ?? 'en';
  return first.toLowerCase().startsWith('ru') ? 'ru' : 'en';
}

export function resolveLang(setting: LangSetting): Lang {
  return setting === 'system' ? systemLang() : setting;
}

const PLURAL_ORDER: Record<Lang, Intl.LDMLPluralRule[]> = {
  en: ['one', 'other'],
  ru: ['one', 'few', 'many'],
};
const rules: Record<Lang, Intl.PluralRules> = {
  en: new Intl.PluralRules('en'),
  ru: new Intl.PluralRules('ru'),
};

/** Fill `{name}` and `{n|one|few|many}` (with `#` for the number) in a template. */
export function interpolate(template: string, lang: Lang, params: Params = {}): string {
  return template.replace(/\{(\w+)(?:\|([^}]*))?\}/g, (whole, name: string, forms?: string) => {
    const v = params[name];
    if (v === undefined) return whole;
    if (forms === undefined) return String(v);
    const list = forms.split('|');
    const n = typeof v === 'number' ? v : Number(v);
    const idx = PLURAL_ORDER[lang].indexOf(rules[lang].select(n));
    const form = list[idx >= 0 ? idx : list.length - 1] ?? list[list.length - 1] ?? '';
    return form.replace('#', String(params[`${name}_fmt`] ?? v));
  });
}

export function translate(lang: Lang, key: Key, params?: Params): string {
  return interpolate(dictionaries[lang][key] ?? en[key], lang, params);
}

const state = $state<{ lang: Lang }>({ lang: systemLang() });

export const i18n = {
  get lang(): Lang {
    return state.lang;
  },
  set(setting: LangSetting): void {
    state.lang = resolveLang(setting);
    if (typeof document !== 'undefined') document.documentElement.lang = state.lang;
  },
};

/**
 * The window follows its root's `lang`: a change made from outside the settings re-renders every
 * string in place. The QA harness uses it to check each screen it reaches in the other language
 * too, without leaving the screen (issue 16); the saved setting is not touched.
 */
export function followRootLang(root: HTMLElement = document.documentElement): MutationObserver {
  const observer = new MutationObserver(() => {
    const lang = root.lang;
    if ((lang === 'en' || lang === 'ru') && lang !== state.lang) state.lang = lang;
  });
  observer.observe(root, { attributes: true, attributeFilter: ['lang'] });
  return observer;
}

/** Translate in the current language (reactive in templates). */
export function t(key: Key, params?: Params): string {
  return translate(state.lang, key, params);
}

/** True when `key` is a known string key (for keys built from codes). */
export function hasKey(key: string): key is Key {
  return Object.prototype.hasOwnProperty.call(en, key);
}
