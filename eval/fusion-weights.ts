/**
 * `tafuta translate train`, second half: the weight of translated BM25 against dense in `translate-hybrid`, fitted
 * per language on the fusion-weights half of the held-out training pairs that models/translate/train.ts returns with the tables. They become a
 * small retrieval task — each held-out translation is a query for its English string, among all held-out English
 * strings plus a seeded sample of training English strings as distractors — run through the engine in both modes
 * and fused at each grid weight. No benchmark is read.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Engine, TempEngineRunner } from '../indexer/engine.js';
import { reciprocalRankFusion } from '../indexer/fusion.js';
import { writeManifest, type HeldOutPair, type TableTrainingResult, type TranslateConfig } from '../models/translate/train.js';
import type { FitFusionWeights } from '../models/translate/cli.js';
import type { TranslatorManifest } from '../models/translate/translator.js';
import { validationHalfOf } from '../models/translate/validation-split.js';
import { reciprocalRank } from './metrics.js';
import { sampleInOrder, seededRandom } from './random.js';
import { runEval, type RankedDocument } from './run.js';

/** The held-out pairs as a BEIR directory (corpus, queries `q<i>` with their language, qrels/validation.tsv); returns the corpus ids. */
function writeValidationBench(dir: string, heldOut: readonly HeldOutPair[], distractors: readonly string[]): Map<string, string> {
  const english = [...new Set([...heldOut.map((p) => p.en), ...distractors])];
  const idOf = new Map(english.map((en, i) => [en, `e${i}`]));
  fs.mkdirSync(path.join(dir, 'qrels'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'corpus.jsonl'), english.map((text) => JSON.stringify({ _id: idOf.get(text), text })).join('\n'));
  fs.writeFileSync(path.join(dir, 'queries.jsonl'), heldOut.map((p, i) => JSON.stringify({ _id: `q${i}`, text: p.text, lang: p.lang })).join('\n'));
  fs.writeFileSync(path.join(dir, 'qrels', 'validation.tsv'), heldOut.map((p, i) => `q${i}\t${idOf.get(p.en)}\t1`).join('\n'));
  return idOf;
}

/** MRR@10 of the weighted RRF of the two rankings, per query. */
function fusedReciprocalRanks(queries: ReadonlyArray<{ id: string; relevant: string }>, translated: ReadonlyMap<string, RankedDocument[]>, dense: ReadonlyMap<string, RankedDocument[]>, weight: number): number[] {
  return queries.map(({ id, relevant }) => {
    const lists = [translated.get(id) ?? [], dense.get(id) ?? []];
    const docids = [...new Set(lists.flat().map((d) => d.docid))];
    const labelOf = new Map(docids.map((d, i) => [d, i]));
    const fused = reciprocalRankFusion(lists.map((list) => list.map((d) => ({ label: labelOf.get(d.docid)! }))), undefined, [weight, 1 - weight]);
    return reciprocalRank(fused.map((f) => docids[f.label]!), new Map([[relevant, 1]]));
  });
}

const mean = (xs: readonly number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);
const round3 = (x: number) => Math.round(x * 1000) / 1000;

/** Fits the per-language fusion weights on the fusion-weights half of the held-out pairs and records them (with the validation scores). */
export async function fitFusionWeights(engine: Engine, config: TranslateConfig, tables: TableTrainingResult, outDir: string, log: (message: string) => void): Promise<TranslatorManifest> {
  const heldOutEnglishStrings = new Set(tables.heldOut.map((p) => p.en));
  // The other half of the held-out pairs is where `tafuta auto-modes` decides whether translate-hybrid is worth it.
  const fitted = tables.heldOut.filter((p) => validationHalfOf(p.en) === 'fusion-weights');
  const candidates = tables.trainingEnglish.filter((en) => !heldOutEnglishStrings.has(en));
  const distractors = sampleInOrder(candidates, Math.min(config.fusion.distractors, candidates.length), seededRandom(config.seed));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tafuta-translate-validation-'));
  try {
    const corpusIds = writeValidationBench(dir, fitted, distractors);
    const runs: Record<'dense' | 'translate', Map<string, RankedDocument[]>> = { dense: new Map(), translate: new Map() };
    for (const mode of ['dense', 'translate'] as const) {
      const { run } = await runEval({ engine, benchDir: dir, split: 'validation', encoder: config.fusion.encoder, mode, k: 100 });
      runs[mode] = run;
    }
    const queriesByLang = new Map<string, Array<{ id: string; relevant: string }>>();
    fitted.forEach((p, i) => {
      const list = queriesByLang.get(p.lang) ?? [];
      list.push({ id: `q${i}`, relevant: corpusIds.get(p.en)! });
      queriesByLang.set(p.lang, list);
    });
    const grid = Array.from({ length: config.fusion.steps + 1 }, (_, i) => i / config.fusion.steps);
    // Per language and weight: mean reciprocal rank. The pooled choice maximises the macro average over languages.
    const scores = new Map([...queriesByLang].map(([lang, queries]) => [lang, grid.map((w) => mean(fusedReciprocalRanks(queries, runs.translate, runs.dense, w)))]));
    const macro = grid.map((_, g) => mean([...scores.values()].map((s) => s[g]!)));
    const best = (values: readonly number[]) => values.indexOf(Math.max(...values));
    const defaultWeight = grid[best(macro)]!;
    const weights: Record<string, number> = {};
    const validation: Record<string, { queries: number; dense: number; translate: number; fused: number; weight: number }> = {};
    for (const [lang, values] of [...scores].sort(([a], [b]) => (a < b ? -1 : 1))) {
      const queries = queriesByLang.get(lang)!.length;
      const weight = queries >= config.fusion.minQueries ? grid[best(values)]! : defaultWeight;
      weights[lang] = weight;
      validation[lang] = { queries, dense: round3(values[0]!), translate: round3(values[grid.length - 1]!), fused: round3(values[grid.indexOf(weight)]!), weight };
      log(`${lang}: ${queries} validation queries, MRR@10 dense ${validation[lang].dense} translate ${validation[lang].translate} → weight ${weight}: ${validation[lang].fused}`);
    }
    const manifest: TranslatorManifest = {
      ...tables.manifest,
      fusion: { weights, defaultWeight },
      validation: { pairs: 'the fusion-weights half of the held-out pairs (models/translate/validation-split.ts)', corpus: corpusIds.size, encoder: config.fusion.encoder, macro: { dense: round3(macro[0]!), translate: round3(macro[grid.length - 1]!), fused: round3(macro[grid.indexOf(defaultWeight)]!) }, languages: validation },
    };
    writeManifest(outDir, manifest);
    return manifest;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** What `tafuta translate train` runs after the tables: the fit, in a temporary engine that loads the fresh translator from `outDir`. */
export function fusionWeightFitter(withTempEngine: TempEngineRunner): FitFusionWeights {
  return (config, tables, outDir, log, modelDirs) => withTempEngine((engine) => fitFusionWeights(engine, config, tables, outDir, log), [...modelDirs], path.resolve(outDir));
}
