/**
 * Does translate-dense hurt a search whose documents are in the query's own language? `auto` chose it on LRL → English
 * pairs, and every benchmark is LRL → English. This measures monolingual retrieval on the replica's held-out pairs
 * (docs/results.md, *`auto` decided on a replica*): per language, a held-out string's translation as the query, the
 * other translations of the same English string as the relevant documents, among every held-out translation of the
 * language plus `DISTRACTORS` of its training translations; dense against translate-dense, exact cosine.
 * Run: `npm run build && node dist/scripts/monolingual-translate-dense.js [modelDir] [translatorDir]`
 * (defaults: .cache/auto-modes/cmtp-base-replica, .cache/auto-modes/translate-replica); writes
 * docs/eval/auto-modes/<model>.monolingual.json and prints a table.
 */
import fs from 'node:fs';
import path from 'node:path';
import { PACKAGE_ROOT } from '../bin/runtime.js';
import { readJsonl } from '../core/jsonl.js';
import { validationPairs, type ValidationData } from '../eval/auto-modes.js';
import { compareReports } from '../eval/compare.js';
import { reciprocalRank } from '../eval/metrics.js';
import { sampleInOrder, seededRandom } from '../eval/random.js';
import type { EvalReport } from '../eval/run.js';
import { combinedQueryVector, translationVector } from '../indexer/translated-query-vector.js';
import { dot } from '../indexer/vector-store.js';
import { loadManifestFeatures } from '../models/onnx/export.js';
import { createOnnxEncoder, readOnnxEncoderManifest } from '../models/onnx/onnx-encoder.js';
import { loadQueryTranslator } from '../models/translate/translator.js';
import { heldOutEnglish } from '../models/train/dataset.js';

const DISTRACTORS = 2000;
const MIN_QUERIES = 10;
const BATCH = 512;

async function main(): Promise<void> {
  const modelDir = path.resolve(process.argv[2] ?? path.join(PACKAGE_ROOT, '.cache', 'auto-modes', 'cmtp-base-replica'));
  const translatorDir = path.resolve(process.argv[3] ?? path.join(PACKAGE_ROOT, '.cache', 'auto-modes', 'translate-replica'));
  const manifest = await readOnnxEncoderManifest(modelDir);
  const data = (manifest.config as { data: ValidationData }).data;
  const pairs = validationPairs(data, await loadManifestFeatures(modelDir, manifest));
  const encoder = await createOnnxEncoder(modelDir);
  const translator = loadQueryTranslator(translatorDir);
  const perQuery: { dense: EvalReport['perQuery']; translated: EvalReport['perQuery'] } = { dense: [], translated: [] };
  for (const lang of [...new Set(pairs.map((p) => p.lang))].sort()) {
    const own = pairs.filter((p) => p.lang === lang);
    const byEnglish = new Map<string, Set<string>>();
    for (const p of own) byEnglish.set(p.en, (byEnglish.get(p.en) ?? new Set()).add(p.text));
    const queries = [...byEnglish.values()].filter((texts) => texts.size >= 2).flatMap((texts) => [...texts].map((text) => ({ text, relevant: [...texts].filter((t) => t !== text) })));
    if (queries.length < MIN_QUERIES) continue;
    const records = readJsonl<{ en: string; text: string }>(path.join(data.trainDir, `${lang}.jsonl`));
    const held = heldOutEnglish(records, data.validationPerLang, data.validationMaxFraction);
    const training = [...new Set(records.filter((r) => !held.has(r.en)).map((r) => r.text))].sort();
    const corpus = [...new Set([...own.map((p) => p.text), ...sampleInOrder(training, Math.min(DISTRACTORS, training.length), seededRandom(1))])];
    const embed = async (texts: string[], kind: 'query' | 'passage') => {
      const out: Float32Array[] = [];
      for (let i = 0; i < texts.length; i += BATCH) out.push(...(await encoder.embed(texts.slice(i, i + BATCH), { kind, lang })));
      return out;
    };
    const passages = await embed(corpus, 'passage');
    const vectors = await embed(queries.map((q) => q.text), 'query');
    for (const [i, q] of queries.entries()) {
      const translated = combinedQueryVector(vectors[i], await translationVector(encoder, translator, q.text, lang));
      for (const [mode, v] of [['dense', vectors[i]], ['translated', translated]] as const) {
        // The query's own text is in the corpus: it is not an answer.
        const ranking = v ? corpus.map((text, j) => [text === q.text ? -Infinity : dot(passages[j]!, v), j] as const).sort((a, b) => b[0] - a[0]).slice(0, 10).map(([, j]) => corpus[j]!) : [];
        perQuery[mode].push({ id: `${lang}-${i}`, lang, metrics: { 'MRR@10': reciprocalRank(ranking, new Map(q.relevant.map((t) => [t, 1]))) } } as EvalReport['perQuery'][number]);
      }
    }
  }
  await encoder.close?.();
  const asReport = (rows: EvalReport['perQuery']) => ({ perQuery: rows }) as unknown as EvalReport;
  const [comparison] = compareReports(asReport(perQuery.dense), asReport(perQuery.translated), { metrics: ['MRR@10'], seed: 1 });
  const rows = comparison!.rows.map((r) => ({ lang: r.lang, queries: r.n, dense: r.a, translateDense: r.b, delta: r.delta, p: r.pRandomization }));
  const out = path.join(PACKAGE_ROOT, 'docs', 'eval', 'auto-modes', `${manifest.name}.monolingual.json`);
  fs.writeFileSync(out, `${JSON.stringify({ command: `node dist/scripts/monolingual-translate-dense.js ${path.relative(PACKAGE_ROOT, modelDir)} ${path.relative(PACKAGE_ROOT, translatorDir)}`, date: new Date().toISOString(), distractors: DISTRACTORS, minQueries: MIN_QUERIES, rows }, null, 2)}\n`);
  for (const r of rows) process.stdout.write(`${r.lang}\t${r.queries}\t${r.dense.toFixed(3)}\t${r.translateDense.toFixed(3)}\t${r.delta >= 0 ? '+' : ''}${r.delta.toFixed(3)}\tp ${r.p.toFixed(3)}\n`);
  process.stdout.write(`wrote ${out}\n`);
}

await main();
