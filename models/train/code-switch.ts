/**
 * Code-switching augmentation (CoSDA-ML style): each time a training pair is drawn, some words of its
 * low-resource side are replaced by English translations from word translation tables, so the hashed features of
 * an LRL word and of its English translation end up in the same sentence and the contrastive task pulls them
 * together. The English side is never touched.
 *
 * A text's features are its words' features back to back (models/features.ts), so a substitution swaps one word's
 * id range for the English word's ids: no re-normalising or re-segmenting while training. What each pair can swap is
 * worked out once (`buildCodeSwitchCandidates`) into typed arrays, which worker threads receive cheaply.
 */
import fs from 'node:fs';
import path from 'node:path';
import { TafutaError } from '../../core/errors.js';
import type { Rng } from '../../core/rng.js';
import { featurizeWords, wordFeatureIds, type FeatureConfig } from '../features.js';
import { tokenize } from '../../text/normalize.js';
import { parseTable, type TranslationTable } from '../translate/table.js';
import { readTranslatorManifest } from '../translate/translator.js';
import { DEFAULT_VALIDATION_MAX_FRACTION } from './config.js';
import type { Dataset } from './dataset.js';

/**
 * Per training pair, the words that may be swapped and their English options, flattened:
 * pair i's slots are [pairSlots[i], pairSlots[i + 1]); slot s covers the pair's feature ids
 * [slotBegin[s], slotEnd[s]) and chooses among options [slotOptions[s], slotOptions[s + 1]);
 * option o is English word optionWord[o] with cumulative probability optionCumulative[o] within its slot;
 * English word w's feature ids are wordIds[wordOffsets[w], wordOffsets[w + 1]).
 */
export interface CodeSwitchCandidates {
  pairSlots: Uint32Array;
  slotBegin: Uint32Array;
  slotEnd: Uint32Array;
  slotOptions: Uint32Array;
  optionWord: Uint32Array;
  optionCumulative: Float32Array;
  wordIds: Uint32Array;
  wordOffsets: Uint32Array;
  /** For the model card: per language, training words that have a table entry / all training words. */
  coverage: Record<string, { words: number; switchable: number }>;
}

export interface CandidateOptions {
  /** Translations below this probability are not used (the tables keep up to 5 per word, from 0.05 up). */
  minProbability: number;
  features: FeatureConfig;
}

/**
 * What each training pair may swap. `tablesOf(lang)` lists the tables to consult in order (the language's own,
 * then any it borrows from); languages without tables get no slots. A word whose only usable translation is
 * itself (names, numbers) is not a slot.
 */
export function buildCodeSwitchCandidates(
  dataset: Pick<Dataset, 'langs' | 'train'>,
  tablesOf: (lang: string) => readonly TranslationTable[],
  options: CandidateOptions,
): CodeSwitchCandidates {
  const pairSlots: number[] = [0];
  const slotBegin: number[] = [];
  const slotEnd: number[] = [];
  const slotOptions: number[] = [0];
  const optionWord: number[] = [];
  const optionCumulative: number[] = [];
  const wordIds: number[] = [];
  const wordOffsets: number[] = [0];
  const wordIndex = new Map<string, number>();
  const coverage: CodeSwitchCandidates['coverage'] = {};
  const englishWord = (term: string): number => {
    let w = wordIndex.get(term);
    if (w === undefined) {
      w = wordOffsets.length - 1;
      wordFeatureIds(term, options.features, wordIds);
      wordOffsets.push(wordIds.length);
      wordIndex.set(term, w);
    }
    return w;
  };
  const tablesByLang = new Map(dataset.langs.map((lang) => [lang, tablesOf(lang)]));
  for (const pair of dataset.train) {
    const lang = dataset.langs[pair.lang]!;
    const tables = tablesByLang.get(lang)!;
    const stats = (coverage[lang] ??= { words: 0, switchable: 0 });
    const words = tokenize(pair.lrlText);
    stats.words += words.length;
    if (tables.length > 0) {
      const { ids, offsets } = featurizeWords(words, options.features);
      // Offsets index pair.lrl only if the pair's features are exactly its words' features back to back.
      if (ids.length === pair.lrl.length && ids.every((id, k) => id === pair.lrl[k])) {
        words.forEach((word, i) => {
          const terms = tables.map((table) => table.get(word)).find((t) => t !== undefined) ?? [];
          const usable = terms.filter((t) => t.weight >= options.minProbability && t.term !== word);
          if (usable.length === 0 || offsets[i] === offsets[i + 1]) return;
          const total = usable.reduce((sum, t) => sum + t.weight, 0);
          let cumulative = 0;
          for (const t of usable) {
            cumulative += t.weight / total;
            optionWord.push(englishWord(t.term));
            optionCumulative.push(cumulative);
          }
          optionCumulative[optionCumulative.length - 1] = 1;
          slotBegin.push(offsets[i]!);
          slotEnd.push(offsets[i + 1]!);
          slotOptions.push(optionWord.length);
          stats.switchable++;
        });
      }
    }
    pairSlots.push(slotBegin.length);
  }
  return {
    pairSlots: Uint32Array.from(pairSlots),
    slotBegin: Uint32Array.from(slotBegin),
    slotEnd: Uint32Array.from(slotEnd),
    slotOptions: Uint32Array.from(slotOptions),
    optionWord: Uint32Array.from(optionWord),
    optionCumulative: Float32Array.from(optionCumulative),
    wordIds: Uint32Array.from(wordIds),
    wordOffsets: Uint32Array.from(wordOffsets),
    coverage,
  };
}

/**
 * The LRL-side feature ids of training pair `pairIndex` with each switchable word replaced, with probability
 * `rate`, by one of its English translations (drawn by probability). Returns `ids` itself when nothing was replaced.
 */
export function codeSwitchIds(candidates: CodeSwitchCandidates, pairIndex: number, ids: Uint32Array, rate: number, rng: Rng): Uint32Array {
  const first = candidates.pairSlots[pairIndex]!;
  const last = candidates.pairSlots[pairIndex + 1]!;
  if (rate <= 0 || first === last) return ids;
  let chosen: Array<{ slot: number; word: number }> | undefined;
  for (let s = first; s < last; s++) {
    if (rng.next() >= rate) continue;
    const r = rng.next();
    let o = candidates.slotOptions[s]!;
    const end = candidates.slotOptions[s + 1]! - 1;
    while (o < end && candidates.optionCumulative[o]! <= r) o++;
    (chosen ??= []).push({ slot: s, word: candidates.optionWord[o]! });
  }
  if (!chosen) return ids;
  const { slotBegin, slotEnd, wordIds, wordOffsets } = candidates;
  let length = ids.length;
  for (const { slot, word } of chosen) length += wordOffsets[word + 1]! - wordOffsets[word]! - (slotEnd[slot]! - slotBegin[slot]!);
  const out = new Uint32Array(length);
  let from = 0;
  let at = 0;
  for (const { slot, word } of chosen) {
    out.set(ids.subarray(from, slotBegin[slot]!), at);
    at += slotBegin[slot]! - from;
    const english = wordIds.subarray(wordOffsets[word]!, wordOffsets[word + 1]!);
    out.set(english, at);
    at += english.length;
    from = slotEnd[slot]!;
  }
  out.set(ids.subarray(from), at);
  return out;
}

/**
 * The translation tables of a `tafuta translate train` model directory, per training language (its own table, then
 * those of the languages it borrows from). Refused unless every table of a language this run trains on was learnt
 * from exactly the file it reads (`trainFiles`) with the same hold-out quota, so it held out the same validation
 * pairs (`heldOutEnglish` in dataset.ts): otherwise the tables could carry what validation is meant to test.
 */
export function readCodeSwitchTables(
  dir: string,
  trainFiles: ReadonlyArray<{ path: string; sha256: string }>,
  holdOut: { validationPerLang: number; validationMaxFraction?: number | undefined },
  borrow: boolean,
): (lang: string) => TranslationTable[] {
  const manifest = readTranslatorManifest(dir);
  const recorded = manifest as unknown as {
    config?: { data?: { validationPerLang?: number; validationMaxFraction?: number } };
    data?: { files?: Array<{ path: string; sha256: string }> };
  };
  const tableHoldOut = recorded.config?.data?.validationPerLang;
  if (tableHoldOut !== holdOut.validationPerLang) {
    throw new TafutaError('INVALID_ARGUMENT', `${dir}: its tables held out ${String(tableHoldOut)} validation pairs per language, this run holds out ${holdOut.validationPerLang}; the tables may have seen this run's validation pairs`);
  }
  const tableFraction = recorded.config?.data?.validationMaxFraction ?? DEFAULT_VALIDATION_MAX_FRACTION;
  const runFraction = holdOut.validationMaxFraction ?? DEFAULT_VALIDATION_MAX_FRACTION;
  if (tableFraction !== runFraction) {
    throw new TafutaError('INVALID_ARGUMENT', `${dir}: its tables held out at most ${tableFraction} of a language's strings, this run ${runFraction}; the tables may have seen this run's validation pairs`);
  }
  const tableFiles = new Map((recorded.data?.files ?? []).map((f) => [path.basename(f.path), f.sha256]));
  for (const file of trainFiles) {
    const lang = path.basename(file.path, '.jsonl');
    if (manifest.tables[lang] && tableFiles.get(path.basename(file.path)) !== file.sha256) {
      throw new TafutaError('INVALID_ARGUMENT', `${dir}: the ${lang} table was learnt from other data than ${file.path} (sha256 differs); retrain it with \`tafuta translate train\``);
    }
  }
  const cache = new Map<string, TranslationTable>();
  const table = (lang: string): TranslationTable[] => {
    const entry = manifest.tables[lang];
    if (!entry) return [];
    let parsed = cache.get(lang);
    if (!parsed) {
      parsed = parseTable(fs.readFileSync(path.join(dir, entry.file)));
      cache.set(lang, parsed);
    }
    return [parsed];
  };
  return (lang) => [lang, ...(borrow ? (manifest.borrowFrom[lang] ?? []) : [])].flatMap(table);
}
