/** Locale directory / tag → our language code ("am_ET" → "am", "uz@cyrillic" → "uz", "sw-KE" → "sw"). */
export function baseLang(locale: string): string {
  return (locale.split(/[_@.\-]/u)[0] ?? locale).toLowerCase();
}

export function wantLang(locale: string, langs: ReadonlySet<string>): string | null {
  const lang = baseLang(locale);
  return langs.has(lang) ? lang : null;
}
