import { z } from 'zod';
import sourcesJson from './sources.json' with { type: 'json' };

const SourcesSchema = z.object({
  debianSuite: z.string(),
  languages: z.array(z.string()),
  libreoffice: z.array(z.string()),
  chromium: z.object({ translations: z.string(), english: z.string() }),
  morphology: z.record(z.string(), z.object({ package: z.string(), dic: z.string(), aff: z.string() })),
  mono: z.record(z.string(), z.object({ package: z.string(), file: z.string() })),
  npm: z.record(z.string(), z.string()),
  /**
   * Better-resourced languages trained on for the sake of low-resource ones that borrow from them: read from the
   * same catalogs as the training languages, capped at `maxPairs` (a deterministic sample), never benchmarked.
   */
  contactLanguages: z.record(z.string(), z.object({ for: z.array(z.string()).min(1), maxPairs: z.number().int().positive(), why: z.string() })).default({}),
  /**
   * CLDR JSON files read beside the locale names, by npm package (each pinned in `npm`): `main/<locale>/<file>.json`
   * paired with `main/en/<file>.json` by path. Source `cldr-extra`.
   */
  cldrExtra: z.record(z.string(), z.array(z.string())).default({}),
  /**
   * AbiWord's per-locale XML string files (source `abiword`): each locale in `locales` (file name → our language)
   * paired by message id with `english` (the English strings are compiled into the program; a complete English
   * variant stands in); a translation equal to the same id in a `fallbacks` file is a copied string, not a translation.
   */
  abiword: z.object({ package: z.string(), dir: z.string(), english: z.string(), fallbacks: z.array(z.string()),
    locales: z.record(z.string(), z.string()), why: z.string() }).optional(),
  /**
   * Locale codes of regional varieties read as one of our languages (source `language-variants`): their
   * `<locale>/LC_MESSAGES/*.mo` catalogs in `packages`, which `baseLang` alone would file under another code.
   */
  languageVariants: z.record(z.string(), z.object({ locales: z.array(z.string()).min(1), packages: z.array(z.string()).min(1), why: z.string() }))
    .default({}),
  /**
   * debconf templates (source `debconf`): the control archive's `templates` of each package in `packages`, a fixed
   * list (the bookworm packages depending on debconf whose templates carry one of our languages), so that a build
   * reads the same packages whatever the mirror holds.
   */
  debconf: z.object({ packages: z.array(z.string()).min(1), why: z.string() }).optional(),
  /**
   * Qt `.qm` catalogs (source `qt-qm`) in `packages`, their language taken from the file name; a translation copied
   * from a sibling catalog of a `fallbacks` language (base codes) is dropped.
   */
  qtQm: z.object({ packages: z.array(z.string()).min(1), fallbacks: z.array(z.string()), why: z.string() }).optional(),
  /**
   * The Debian installer's translations (source `debian-installer`): the debconf `templates` of the udebs in `udebs`
   * and the po-debconf catalogs (`debian/po/<locale>.po`) of the source packages in `sources`, from `mirror`'s
   * `main/debian-installer` and `deb-src main` of `debianSuite`, which the system's apt sources do not list (fetched
   * through a private apt configuration, `keyring` checking the signature). Fixed lists: the packages that download
   * from the mirror and carry one of our languages.
   */
  debianInstaller: z.object({ mirror: z.string().url(), keyring: z.string(), udebs: z.array(z.string()), sources: z.array(z.string()),
    why: z.string() }).refine((d) => d.udebs.length + d.sources.length > 0, 'lists no udeb and no source package').optional(),
  /**
   * Key–value locale catalogs in npm packages (source `npm-catalogs`), by package (each pinned in `npm`): in each of
   * `dirs` (a path in the package; `path/*` = every directory under it), `<locale><suffix>` paired by key with
   * `<english><suffix>`; `format` json (nested keys flattened) or blockly-msg (Blockly's `msg/<locale>.js`); keys
   * matching a `skipKeys` pattern are left out; a translation copied from a `fallbacks` locale's catalog in the same
   * directory is dropped.
   */
  npmCatalogs: z.object({
    packages: z.record(z.string(), z.object({
      dirs: z.array(z.string()).min(1),
      format: z.enum(['json', 'blockly-msg']).default('json'),
      suffix: z.string().min(1).optional(),
      english: z.string().default('en'),
      fallbacks: z.array(z.string()).default([]),
      skipKeys: z.array(z.string().refine((p) => { try { new RegExp(p, 'u'); return true; } catch { return false; } }, 'not a regular expression')).default([]),
    })),
    why: z.string(),
  }).optional(),
  /** Synthetic passages from several catalog messages (source `passages`). */
  passages: z.object({ size: z.number().int().min(2), minEnglishWords: z.number().int().min(1), fromSources: z.array(z.string()).min(1) })
    .default({ size: 4, minEnglishWords: 3, fromSources: ['gettext', 'libreoffice', 'chromium'] }),
  udhrCodes: z.record(z.string(), z.string()),
  evalOnly: z.object({ debian: z.array(z.string()), npm: z.array(z.string()) }),
  gettext: z.object({ generatedBy: z.string(), packages: z.record(z.string(), z.array(z.string())) }),
});

export type SourcesConfig = z.infer<typeof SourcesSchema>;

/** The committed, curated package list (see generate-sources.sh for the gettext part). */
export function loadSourcesConfig(json: unknown = sourcesJson): SourcesConfig {
  return SourcesSchema.parse(json);
}

/** Source groups that `--only` / `sources` can select. */
export const SOURCE_NAMES = ['gettext', 'libreoffice', 'chromium', 'cldr', 'cldr-extra', 'abiword', 'language-variants', 'debconf', 'qt-qm',
  'debian-installer', 'npm-catalogs', 'passages', 'mono', 'morph', 'bench'] as const;
export type SourceName = (typeof SOURCE_NAMES)[number];
/**
 * What a build without `--only` reads: `cldr-extra` and `passages` are opt-in (measured not to help)
 * (docs/results.md).
 */
export const DEFAULT_SOURCES: readonly SourceName[] = ['gettext', 'libreoffice', 'chromium', 'cldr', 'abiword', 'language-variants', 'debconf', 'qt-qm', 'debian-installer',
  'mono', 'morph', 'bench'];
