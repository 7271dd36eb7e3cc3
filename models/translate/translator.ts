/**
 * Query translation for cross-lingual BM25: each query word becomes a distribution over English terms (a
 * probabilistic structured query, Darwish & Oard 2003), from per-language tables learnt by `tafuta translate train`.
 * A model directory holds `translator.json` (config, data manifest, fitted fusion weights) and `tables/<lang>.tsv.gz`.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { tokenize } from '../../text/normalize.js';
import { parseTable, type TranslationTable, type WeightedTerm } from './table.js';
import { TafutaError } from '../../core/errors.js';

export const TRANSLATOR_FORMAT = 'tafuta-translator';
export const TRANSLATOR_FORMAT_VERSION = 1;
export const TRANSLATOR_MANIFEST = 'translator.json';

export interface TranslatorManifest {
  format: typeof TRANSLATOR_FORMAT;
  formatVersion: number;
  name: string;
  description: string;
  /** Languages whose table is consulted, in order, for words the query language's own table lacks (e.g. qu → es). */
  borrowFrom: Record<string, string[]>;
  tables: Record<string, { file: string; words: number; entries: number; bytes: number; sha256: string }>;
  /**
   * Weighted reciprocal-rank fusion of translated BM25 with dense: the translated list's weight per query language
   * (dense gets 1 − weight), fitted on held-out training pairs; `defaultWeight` for other languages.
   */
  fusion: { weights: Record<string, number>; defaultWeight: number };
  [extra: string]: unknown;
}

export interface QueryTranslator {
  readonly name: string;
  readonly languages: readonly string[];
  /**
   * One entry per distinct query word: its English terms with weights summing to 1. A word no table knows stays
   * itself (names, numbers and loanwords match as they are), so a query in an unknown language is plain BM25.
   */
  translate(query: string, lang: string | undefined): WeightedTerm[][];
  /** The translated list's weight when fusing it with dense for this query language. */
  fusionWeight(lang: string | undefined): number;
}

/** The tables by language: a map, or tables read on first use (loadQueryTranslator). */
export type TranslationTables = Pick<ReadonlyMap<string, TranslationTable>, 'get' | 'keys'>;

export function createQueryTranslator(manifest: Pick<TranslatorManifest, 'name' | 'borrowFrom' | 'fusion'>, tables: TranslationTables): QueryTranslator {
  const chainOf = (lang: string | undefined): TranslationTable[] =>
    lang === undefined ? [] : [lang, ...(manifest.borrowFrom[lang] ?? [])].flatMap((l) => tables.get(l) ?? []);
  return {
    name: manifest.name,
    languages: [...tables.keys()].sort(),
    translate(query, lang) {
      const chain = chainOf(lang);
      return [...new Set(tokenize(query))].map((word) => {
        for (const table of chain) {
          const terms = table.get(word);
          if (terms) return terms;
        }
        return [{ term: word, weight: 1 }];
      });
    },
    fusionWeight(lang) {
      return (lang !== undefined ? manifest.fusion.weights[lang] : undefined) ?? manifest.fusion.defaultWeight;
    },
  };
}

/** No tables: every query word stays itself (translated BM25 is then plain BM25) and fusion weighs both lists alike. */
export function createUntranslatedQueries(): QueryTranslator {
  return createQueryTranslator({ name: 'none', borrowFrom: {}, fusion: { weights: {}, defaultWeight: 0.5 } }, new Map());
}

export function hasTranslatorModel(dir: string): boolean {
  return fs.existsSync(path.join(dir, TRANSLATOR_MANIFEST));
}

export function readTranslatorManifest(dir: string): TranslatorManifest {
  const manifest = JSON.parse(fs.readFileSync(path.join(dir, TRANSLATOR_MANIFEST), 'utf8')) as TranslatorManifest;
  if (manifest.format !== TRANSLATOR_FORMAT || manifest.formatVersion !== TRANSLATOR_FORMAT_VERSION) {
    throw new TafutaError('INPUT_FILE', `${dir}: not a ${TRANSLATOR_FORMAT} v${TRANSLATOR_FORMAT_VERSION} model (format ${String(manifest.format)} v${String(manifest.formatVersion)})`);
  }
  return manifest;
}

/**
 * The translator in `dir`. Every table file is read and checked against the manifest's sha256 here, so a missing or
 * damaged table fails at start (the caller decides what then); parsing — most of the cost — waits for a language's
 * first query, from the bytes checked here.
 */
export function loadQueryTranslator(dir: string): QueryTranslator {
  const manifest = readTranslatorManifest(dir);
  const gzipped = new Map(Object.entries(manifest.tables).map(([lang, { file, sha256 }]) => {
    const full = path.join(dir, file);
    if (!fs.existsSync(full)) throw new TafutaError('INPUT_FILE', `${dir}: the ${lang} table ${file} is missing`);
    const bytes = fs.readFileSync(full);
    const actual = crypto.createHash('sha256').update(bytes).digest('hex');
    if (actual !== sha256) throw new TafutaError('INPUT_FILE', `${dir}: the ${lang} table ${file} does not match its manifest (sha256 ${actual}, expected ${sha256})`);
    return [lang, bytes];
  }));
  const parsed = new Map<string, TranslationTable>();
  const tables: TranslationTables = {
    keys: () => gzipped.keys(),
    get(lang) {
      let table = parsed.get(lang);
      const bytes = gzipped.get(lang);
      if (table === undefined && bytes !== undefined) parsed.set(lang, (table = parseTable(bytes)));
      return table;
    },
  };
  return createQueryTranslator(manifest, tables);
}
