// The page's own labels: message catalogs in messages/<lang>.json, English as the fallback for missing keys.

export const UI_LANGUAGES = [
  { code: 'en', name: 'English' },
  { code: 'sw', name: 'Kiswahili' },
];
const STORAGE_KEY = 'tafuta.uiLanguage';

let catalog = {};
let fallback = {};

async function fetchCatalog(code) {
  const response = await fetch(`/assets/messages/${code}.json`);
  if (!response.ok) throw new Error(`message catalog ${code}: HTTP ${response.status}`);
  return response.json();
}

/** The saved choice, else the first of the browser's languages that has a catalog, else English. */
export function preferredLanguage() {
  const saved = localStorage.getItem(STORAGE_KEY);
  const candidates = [saved, ...(navigator.languages ?? [navigator.language])].filter(Boolean);
  for (const candidate of candidates) {
    const code = candidate.toLowerCase().split('-')[0];
    if (UI_LANGUAGES.some((language) => language.code === code)) return code;
  }
  return 'en';
}

export async function useLanguage(code) {
  fallback = await fetchCatalog('en');
  catalog = code === 'en' ? fallback : await fetchCatalog(code);
  localStorage.setItem(STORAGE_KEY, code);
  document.documentElement.lang = code;
}

/** A message with {name} placeholders filled from params. */
export function t(key, params = {}) {
  const template = catalog[key] ?? fallback[key] ?? key;
  return template.replace(/\{(\w+)\}/g, (whole, name) => (name in params ? String(params[name]) : whole));
}

/** Fills every element marked data-i18n (its text) or data-i18n-aria-label (its accessible name). */
export function translatePage(root = document) {
  for (const element of root.querySelectorAll('[data-i18n]')) element.textContent = t(element.dataset.i18n);
  for (const element of root.querySelectorAll('[data-i18n-aria-label]')) element.setAttribute('aria-label', t(element.dataset.i18nAriaLabel));
}

/** "Kiswahili (sw)" in the page's language; the bare code when the browser has no name for it. */
export function languageName(code) {
  let name;
  try {
    name = new Intl.DisplayNames([document.documentElement.lang || 'en'], { type: 'language', fallback: 'none' }).of(code);
  } catch {
    name = undefined;
  }
  return name && name !== code ? `${name} (${code})` : code;
}
