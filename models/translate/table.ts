/**
 * Word translation tables: source-language word → its likeliest English words with probabilities, learnt by IBM
 * Model 1 from (English, translation) pairs, pruned, and stored as gzipped TSV (`word<TAB>term:percent …`).
 * Both sides are tokenised by the shared normaliser, so the English terms are exactly the words BM25 indexes.
 */
import zlib from 'node:zlib';
import { tokenize } from '../../text/normalize.js';
import { NULL_SOURCE, trainIbm1, type TranslationProbabilities } from './ibm1.js';
import { TafutaError } from '../../core/errors.js';

export interface WeightedTerm {
  term: string;
  weight: number;
}

/** Source word → English terms, weights summing to 1, best first. */
export type TranslationTable = Map<string, WeightedTerm[]>;

export interface TableOptions {
  iterations: number;
  nullWord: boolean;
  /** Pairs with more words than this on either side are skipped (EM cost grows with the product of the lengths). */
  maxWords: number;
  /** Keep at most this many translations per source word… */
  maxTranslations: number;
  /** …each with at least this probability before renormalising. */
  minProbability: number;
  /**
   * Also learn t(source word | English) and score each translation by t(e | f) · t(f | e), renormalised per source
   * word: an English word that many source words align to (a frequent word such as "the" or "file") scores low in
   * the reverse direction, so it stops crowding out the real translation. Off: t(e | f) alone.
   */
  symmetric?: boolean | undefined;
}

class Vocabulary {
  readonly words: string[] = [];
  private readonly ids = new Map<string, number>();

  idsOf(words: readonly string[]): Uint32Array {
    return Uint32Array.from(words, (word) => {
      let id = this.ids.get(word);
      if (id === undefined) {
        id = this.words.length;
        this.ids.set(word, id);
        this.words.push(word);
      }
      return id;
    });
  }
}

/** Learns t(English | source word) from pairs and keeps each word's best translations, renormalised. */
export function learnTranslationTable(pairs: ReadonlyArray<{ en: string; text: string }>, options: TableOptions): TranslationTable {
  const sourceVocabulary = new Vocabulary();
  const englishVocabulary = new Vocabulary();
  const source: Uint32Array[] = [];
  const target: Uint32Array[] = [];
  for (const pair of pairs) {
    const sourceWords = tokenize(pair.text);
    const englishWords = tokenize(pair.en);
    if (sourceWords.length === 0 || englishWords.length === 0) continue;
    if (sourceWords.length > options.maxWords || englishWords.length > options.maxWords) continue;
    source.push(sourceVocabulary.idsOf(sourceWords));
    target.push(englishVocabulary.idsOf(englishWords));
  }
  const probabilities = trainIbm1({ source, target }, { iterations: options.iterations, nullWord: options.nullWord });
  const reverse = options.symmetric ? trainIbm1({ source: target, target: source }, { iterations: options.iterations, nullWord: options.nullWord }) : undefined;
  const table: TranslationTable = new Map();
  for (const [sourceId, forward] of probabilities) {
    if (sourceId === NULL_SOURCE) continue;
    const row = reverse ? agreement(forward, sourceId, reverse) : forward;
    const kept = [...row.entries()]
      .filter(([, p]) => p >= options.minProbability)
      .sort((a, b) => b[1] - a[1] || a[0] - b[0])
      .slice(0, options.maxTranslations);
    if (kept.length === 0) continue;
    const total = kept.reduce((sum, [, p]) => sum + p, 0);
    table.set(
      sourceVocabulary.words[sourceId]!,
      kept.map(([englishId, p]) => ({ term: englishVocabulary.words[englishId]!, weight: p / total })),
    );
  }
  return table;
}

/** t(e | f) · t(f | e) for each English word e of f's row, renormalised over the row (zero rows stay empty). */
function agreement(forward: ReadonlyMap<number, number>, sourceId: number, reverse: TranslationProbabilities): Map<number, number> {
  const products = [...forward].map(([englishId, p]): [number, number] => [englishId, p * (reverse.get(englishId)?.get(sourceId) ?? 0)]);
  const total = products.reduce((sum, [, p]) => sum + p, 0);
  return new Map(total > 0 ? products.map(([englishId, p]) => [englishId, p / total]) : []);
}

/** Weights are stored as whole percents (at least 1): PSQ needs their rough size, not six digits. */
export function serializeTable(table: TranslationTable): Buffer {
  const lines = [...table.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([word, terms]) => `${word}\t${terms.map((t) => `${t.term}:${Math.max(1, Math.round(t.weight * 100))}`).join(' ')}`);
  return zlib.gzipSync(`${lines.join('\n')}\n`, { level: 9 });
}

/** Reads serializeTable's format; weights are renormalised after rounding. */
export function parseTable(gzipped: Buffer): TranslationTable {
  const table: TranslationTable = new Map();
  for (const line of zlib.gunzipSync(gzipped).toString('utf8').split('\n')) {
    if (line === '') continue;
    const tab = line.indexOf('\t');
    if (tab < 0) throw new TafutaError('INPUT_FILE', `translation table line without a tab: ${line.slice(0, 80)}`);
    const terms = line.slice(tab + 1).split(' ').map((entry) => {
      const colon = entry.lastIndexOf(':');
      return { term: entry.slice(0, colon), weight: Number(entry.slice(colon + 1)) };
    });
    if (terms.some((t) => t.term === '' || !(t.weight > 0))) throw new TafutaError('INPUT_FILE', `malformed translation table line: ${line.slice(0, 80)}`);
    const total = terms.reduce((sum, t) => sum + t.weight, 0);
    table.set(line.slice(0, tab), terms.map((t) => ({ term: t.term, weight: t.weight / total })));
  }
  return table;
}
