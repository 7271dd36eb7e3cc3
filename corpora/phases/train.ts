/** Raw parallel pairs per training source, read from extracted package directories. */
import { readdir, readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { baseLang, wantLang } from '../langs.js';
import { parseAbiStrings } from '../sources/abiword.js';
import { localeNames, pairLocaleNames } from '../sources/cldr.js';
import { pairDebconfPo, pairTemplates, parseTemplates } from '../sources/debconf.js';
import { cldrStrings, pairCldrByPath } from '../sources/cldr-paths.js';
import type { LocaleNameKind } from '../sources/cldr.js';
import type { SourcesConfig } from '../config.js';
import { parseMo, stripMnemonic } from '../sources/gettext.js';
import { flattenCatalog, parseBlocklyMessages } from '../sources/npm-catalog.js';
import { pairByKey } from '../sources/pair-by-key.js';
import { pairPaks, parsePak } from '../sources/pak.js';
import { pairsFromQm, parseQm, qmCatalogKey, qmLocale } from '../sources/qt-qm.js';
import type { QmFile } from '../sources/qt-qm.js';
import type { RawPair } from '../types.js';

export interface MoFile { path: string; lang: string }

/** Our language for a locale directory name, or null when it is not wanted. */
export type LocaleResolver = (locale: string) => string | null;

/** Wanted languages by base code ("am_ET" → "am"). */
export function byBaseLang(langs: ReadonlySet<string>): LocaleResolver {
  return (locale) => wantLang(locale, langs);
}

/**
 * Wanted languages through their `languageVariants` locales only ("quz", "quy_PE" → "qu"): the catalogs the
 * gettext source skips, so that reading both never reads one catalog twice.
 */
export function byVariant(variants: SourcesConfig['languageVariants'], langs: readonly string[]): LocaleResolver {
  const langOf = new Map<string, string>();
  for (const [lang, { locales }] of Object.entries(variants)) {
    if (langs.includes(lang)) for (const locale of locales) langOf.set(locale.toLowerCase(), lang);
  }
  return (locale) => langOf.get(baseLang(locale)) ?? null;
}

/** Every `<locale>/LC_MESSAGES/*.mo` under dir whose locale maps to a wanted language. */
export async function findMoFiles(dir: string, langOf: LocaleResolver): Promise<MoFile[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const files: MoFile[] = [];
  for (const e of entries) {
    if (!e.isFile() || !e.name.endsWith('.mo')) continue;
    const parts = e.parentPath.split('/');
    if (parts[parts.length - 1] !== 'LC_MESSAGES') continue;
    const lang = langOf(parts[parts.length - 2] ?? '');
    if (lang) files.push({ path: join(e.parentPath, e.name), lang });
  }
  return files.sort((a, b) => (a.path < b.path ? -1 : 1));
}

/** Pairs from the .mo files of one extracted package; unreadable catalogs are reported, not fatal. */
export async function moPairs(dir: string, pkg: string, source: string, langOf: LocaleResolver,
  onError: (message: string) => void): Promise<RawPair[]> {
  const pairs: RawPair[] = [];
  for (const file of await findMoFiles(dir, langOf)) {
    try {
      pairs.push(...parseMo(await readFile(file.path), { lang: file.lang, source, pkg }));
    } catch (err) {
      onError(`${pkg}: ${file.path}: ${(err as Error).message}`);
    }
  }
  return pairs;
}

export interface PakResult { pairs: RawPair[]; missingEnglish: Array<{ lang: string; text: string }> }

/** Chromium locale packs: `<locale>.pak` of wanted languages paired with en-US.pak by resource id. */
export async function chromiumPairs(localesDir: string, englishPak: string, pkg: string, langs: ReadonlySet<string>): Promise<PakResult> {
  const english = parsePak(await readFile(englishPak));
  const result: PakResult = { pairs: [], missingEnglish: [] };
  for (const file of (await readdir(localesDir)).filter((f) => f.endsWith('.pak')).sort()) {
    const lang = wantLang(file.slice(0, -4), langs);
    if (!lang || file.startsWith('en')) continue;
    const { pairs, missingEnglish } = pairPaks(english, parsePak(await readFile(join(localesDir, file))), { lang, source: 'chromium', pkg });
    result.pairs.push(...pairs);
    result.missingEnglish.push(...missingEnglish.map((text) => ({ lang, text })));
  }
  return result;
}

/** CLDR language and territory names (cldr-localenames-full `main/<lang>/{languages,territories}.json`). */
export async function cldrPairs(packageDir: string, langs: readonly string[], pkg: string): Promise<RawPair[]> {
  const read = async (locale: string, kind: LocaleNameKind): Promise<Map<string, string>> => {
    try {
      return localeNames(JSON.parse(await readFile(join(packageDir, 'main', locale, `${kind}.json`), 'utf8')), kind);
    } catch {
      return new Map();
    }
  };
  const pairs: RawPair[] = [];
  for (const kind of ['languages', 'territories'] as const) {
    const english = await read('en', kind);
    for (const lang of langs) pairs.push(...pairLocaleNames(english, await read(lang, kind), { lang, source: 'cldr', pkg }));
  }
  return pairs;
}

/**
 * The `cldrExtra` files of one CLDR npm package (`main/<lang>/<file>.json` against `main/en/<file>.json`), for the
 * given languages in the order given; a locale or file the package lacks gives nothing.
 */
export async function cldrExtraPairs(packageDir: string, pkg: string, files: readonly string[], langs: readonly string[]): Promise<RawPair[]> {
  const read = async (locale: string, file: string): Promise<Map<string, string>> => {
    try {
      return cldrStrings(JSON.parse(await readFile(join(packageDir, 'main', locale, `${file}.json`), 'utf8')));
    } catch {
      return new Map();
    }
  };
  const pairs: RawPair[] = [];
  for (const file of files) {
    const english = await read('en', file);
    for (const lang of langs) pairs.push(...pairCldrByPath(english, await read(lang, file), { lang, source: 'cldr-extra', pkg }));
  }
  return pairs;
}

/**
 * AbiWord's `<locale>.strings` files (sources.json `abiword`) for the given languages, in the order of `locales`:
 * each paired with the English stand-in, minus strings copied from a fallback locale. A missing locale file gives
 * nothing; a missing English file is an error.
 */
export async function abiwordPairs(stringsDir: string, config: NonNullable<SourcesConfig['abiword']>, langs: readonly string[]): Promise<RawPair[]> {
  const read = async (locale: string): Promise<Map<string, string> | null> => {
    try {
      return parseAbiStrings(await readFile(join(stringsDir, `${locale}.strings`), 'utf8'));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw new Error(`${config.package}: ${locale}.strings: ${(err as Error).message}`);
    }
  };
  const english = await read(config.english);
  if (!english) throw new Error(`${config.package}: no ${config.english}.strings in ${stringsDir}`);
  const fallbacks = (await Promise.all(config.fallbacks.map(read))).filter((f): f is Map<string, string> => f !== null);
  const pairs: RawPair[] = [];
  for (const [locale, lang] of Object.entries(config.locales)) {
    if (!langs.includes(lang)) continue;
    const translated = await read(locale);
    if (translated) pairs.push(...pairByKey(english, translated, fallbacks, { lang, source: 'abiword', pkg: config.package }, stripMnemonic));
  }
  return pairs;
}

/** The debconf templates of one package (its control archive extracted to `controlDir`); none is an error. */
export async function debconfPairs(controlDir: string, pkg: string, langOf: LocaleResolver, source = 'debconf'): Promise<RawPair[]> {
  let text: string;
  try {
    text = await readFile(join(controlDir, 'templates'), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new Error(`${pkg}: no debconf templates in its control archive`);
    throw err;
  }
  return pairTemplates(parseTemplates(text), langOf, { source, pkg });
}

/**
 * The po-debconf catalogs (`debian/po/<locale>.po`) of one source package extracted to `dir`, for the wanted
 * languages, in path order; an unreadable catalog is reported, not fatal.
 */
export async function debconfPoPairs(dir: string, pkg: string, source: string, langOf: LocaleResolver,
  onError: (message: string) => void): Promise<RawPair[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const catalogs = entries.filter((e) => e.isFile() && e.name.endsWith('.po') && e.parentPath.endsWith('/debian/po'))
    .map((e) => join(e.parentPath, e.name)).sort();
  const pairs: RawPair[] = [];
  for (const path of catalogs) {
    const lang = langOf(basename(path, '.po'));
    if (!lang) continue;
    try {
      pairs.push(...pairDebconfPo(await readFile(path), { lang, source, pkg }));
    } catch (err) {
      onError(`${pkg}: ${path}: ${(err as Error).message}`);
    }
  }
  return pairs;
}

/**
 * Every `.qm` under `dir` whose file name names a wanted language, in path order, each paired without the strings
 * copied from its sibling catalogs (same name, other locale) in a `fallbackLangs` language. An unreadable catalog
 * is reported, not fatal.
 */
export async function qtQmPairs(dir: string, pkg: string, fallbackLangs: readonly string[], langOf: LocaleResolver,
  onError: (message: string) => void): Promise<RawPair[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const catalogs = entries.filter((e) => e.isFile() && e.name.endsWith('.qm')).map((e) => join(e.parentPath, e.name)).sort()
    .flatMap((path) => {
      const locale = qmLocale(path);
      return locale ? [{ path, locale, key: qmCatalogKey(path, locale) }] : [];
    });
  const parsed = new Map<string, Promise<QmFile>>();
  const read = (path: string): Promise<QmFile> => {
    let file = parsed.get(path);
    if (!file) parsed.set(path, (file = readFile(path).then(parseQm)));
    return file;
  };
  const pairs: RawPair[] = [];
  for (const catalog of catalogs) {
    const lang = langOf(catalog.locale);
    if (!lang) continue;
    try {
      const siblings = catalogs.filter((c) => c.key === catalog.key && c !== catalog && fallbackLangs.includes(baseLang(c.locale)));
      const fallbacks = await Promise.all(siblings.map((c) => read(c.path).catch((err: Error): QmFile => {
        onError(`${pkg}: fallback ${c.path}: ${err.message}`);
        return { language: null, messages: [] };
      })));
      pairs.push(...pairsFromQm(await read(catalog.path), fallbacks, { lang, source: 'qt-qm', pkg }));
    } catch (err) {
      onError(`${pkg}: ${catalog.path}: ${(err as Error).message}`);
    }
  }
  return pairs;
}

/**
 * One npm package's locale catalogs (sources.json `npmCatalogs`): every `<locale><suffix>` of a wanted language in
 * each of the entry's directories, paired with that directory's English catalog, in directory and file-name order. A
 * directory without its English catalog is an error; an unreadable locale catalog is reported, not fatal.
 */
export async function npmCatalogPairs(packageDir: string, pkg: string, entry: NonNullable<SourcesConfig['npmCatalogs']>['packages'][string],
  langOf: LocaleResolver, onError: (message: string) => void): Promise<RawPair[]> {
  const suffix = entry.suffix ?? (entry.format === 'blockly-msg' ? '.js' : '.json');
  const skip = entry.skipKeys.map((p) => new RegExp(p, 'u'));
  const dirs: string[] = [];
  for (const dir of entry.dirs) {
    if (!dir.endsWith('/*')) {
      dirs.push(dir);
      continue;
    }
    const parent = dir.slice(0, -2);
    const children = await readdir(join(packageDir, parent), { withFileTypes: true });
    dirs.push(...children.filter((c) => c.isDirectory()).map((c) => `${parent}/${c.name}`).sort());
  }
  const read = async (dir: string, locale: string): Promise<Map<string, string>> => {
    const file = `${dir}/${locale}${suffix}`;
    try {
      const text = await readFile(join(packageDir, file), 'utf8');
      const messages = entry.format === 'blockly-msg' ? parseBlocklyMessages(text) : flattenCatalog(JSON.parse(text), locale);
      for (const key of [...messages.keys()]) if (skip.some((re) => re.test(key))) messages.delete(key);
      return messages;
    } catch (err) {
      throw new Error(`${pkg}: ${file}: ${(err as Error).message}`);
    }
  };
  const pairs: RawPair[] = [];
  for (const dir of dirs) {
    const english = await read(dir, entry.english);
    // A locale is a tag ("ha", "qu-PE", "uz@cyrillic"), so "so.min.json" is not a ".json" catalog of "so".
    const locales = (await readdir(join(packageDir, dir))).filter((f) => f.endsWith(suffix)).map((f) => f.slice(0, -suffix.length))
      .filter((l) => /^[A-Za-z]{2,3}([-_@][A-Za-z0-9]+)*$/u.test(l)).sort();
    const fallbacks = await Promise.all(locales.filter((l) => entry.fallbacks.includes(l)).map((l) => read(dir, l)));
    for (const locale of locales) {
      const lang = langOf(locale);
      if (!lang) continue;
      try {
        pairs.push(...pairByKey(english, await read(dir, locale), fallbacks, { lang, source: 'npm-catalogs', pkg }));
      } catch (err) {
        onError((err as Error).message);
      }
    }
  }
  return pairs;
}
