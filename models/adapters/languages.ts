/** The `--lang` flag of `tafuta adapt`: language codes to train adapters for, canonical, English excluded. */
import { TafutaError } from '../../core/errors.js';
import { canonicalLanguage } from '../../core/languages.js';

const bad = (message: string) => new TafutaError('INVALID_ARGUMENT', message);

/** `--lang swa,yor` → its codes, as given (empty ones dropped). */
export function splitLanguageFlag(flag: string): string[] {
  return flag.split(',').map((tag) => tag.trim()).filter(Boolean);
}

/** Tags → canonical codes (`swa` → `sw`); an unknown code, English or a repeat is bad input. */
export function adapterLanguagesOf(tags: readonly string[]): string[] {
  if (tags.length === 0) throw bad('give --lang (one code, or several separated by commas)');
  const langs = tags.map((tag) => {
    const lang = canonicalLanguage(tag);
    if (lang === undefined) throw bad(`--lang "${tag}" is not an ISO 639-1, 639-2 or 639-3 language code (such as "sw" or "swa")`);
    if (lang === 'en') throw bad('--lang en: English is the pivot every adapter maps onto; it gets no adapter');
    return lang;
  });
  if (new Set(langs).size !== langs.length) throw bad(`--lang names a language twice: ${tags.join(',')}`);
  return langs;
}
