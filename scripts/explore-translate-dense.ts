/**
 * The exploration that preceded mode translate-dense (docs/results.md, *The query's vector moved towards its
 * translation*): the shipped encoder's dev queries of one benchmark against its corpus by exact cosine, with the query
 * vector q moved to q + β·t for each β given. t is either the probability-weighted sum of the translations' vectors
 * (`sum`, what the mode does) or the vector of each word's most probable translation joined into one English text
 * (`top1`). Prints macro and weak-language MRR@10 per variant; the β = 0 rows are dense.
 * Run: `npm run build && node dist/scripts/explore-translate-dense.js mediawiki-xling 0,0.25,0.5,1`
 * (cldr-emoji: `CAP=300` keeps the first 300 queries per language of a fixed shuffle).
 */
import path from 'node:path';
import { PACKAGE_ROOT } from '../bin/runtime.js';
import { readJsonl } from '../core/jsonl.js';
import { readQrels } from '../eval/bench.js';
import { reciprocalRank } from '../eval/metrics.js';
import { translationVector } from '../indexer/translated-query-vector.js';
import { dot } from '../indexer/vector-store.js';
import { createOnnxEncoder } from '../models/onnx/onnx-encoder.js';
import { loadQueryTranslator } from '../models/translate/translator.js';
import { mean, WEAK_LANGUAGES } from './results-common.js';

const BATCH = 512;

async function main(): Promise<void> {
  const bench = process.argv[2] ?? 'mediawiki-xling';
  const betas = (process.argv[3] ?? '0,0.5,1').split(',').map(Number);
  const dir = path.join(PACKAGE_ROOT, 'data', 'bench', bench);
  const qrels = readQrels(path.join(dir, 'qrels', 'dev.tsv'));
  let queries = readJsonl<{ _id: string; text: string; lang: string }>(path.join(dir, 'queries.jsonl')).filter((q) => qrels.has(q._id));
  const cap = Number(process.env.CAP ?? 0);
  if (cap) {
    for (let i = queries.length - 1; i > 0; i--) {
      const j = (i * 2654435761) % (i + 1);
      [queries[i], queries[j]] = [queries[j]!, queries[i]!];
    }
    const seen = new Map<string, number>();
    queries = queries.filter((q) => (seen.set(q.lang, (seen.get(q.lang) ?? 0) + 1).get(q.lang)! <= cap));
  }
  const corpus = readJsonl<{ _id: string; title?: string; text: string; lang?: string }>(path.join(dir, 'corpus.jsonl'));
  const encoder = await createOnnxEncoder(path.join(PACKAGE_ROOT, 'models', 'cmtp-base'));
  const translator = loadQueryTranslator(path.join(PACKAGE_ROOT, 'models', 'translate-base'));
  const embed = async (texts: string[], langs: Array<string | undefined>, kind: 'query' | 'passage') => {
    const out: Float32Array[] = [];
    for (let i = 0; i < texts.length; i += BATCH) out.push(...(await encoder.embed(texts.slice(i, i + BATCH), { kind, lang: langs.slice(i, i + BATCH) })));
    return out;
  };
  const passages = await embed(corpus.map((d) => (d.title ? `${d.title} ${d.text}` : d.text)), corpus.map((d) => d.lang ?? 'en'), 'passage');
  const own = await embed(queries.map((q) => q.text), queries.map((q) => q.lang), 'query');
  const zero = new Float32Array(encoder.info.dim);
  const sum = await Promise.all(queries.map(async (q) => (await translationVector(encoder, translator, q.text, q.lang)) ?? zero));
  const topText = queries.map((q) => translator.translate(q.text, q.lang).map((word) => word.reduce((a, b) => (b.weight > a.weight ? b : a)).term).join(' '));
  const top1 = await embed(topText, topText.map(() => 'en'), 'query');
  for (const [variant, translations] of [['sum', sum], ['top1', top1]] as const) {
    for (const beta of betas) {
      const byLang = new Map<string, number[]>();
      queries.forEach((q, i) => {
        const v = own[i]!.map((x, d) => x + beta * translations[i]![d]!);
        const ranking = passages.map((p, j) => [dot(p, v), j] as const).sort((a, b) => b[0] - a[0]).slice(0, 10).map(([, j]) => corpus[j]!._id);
        byLang.set(q.lang, [...(byLang.get(q.lang) ?? []), reciprocalRank(ranking, qrels.get(q._id)!)]);
      });
      const perLang = [...byLang].map(([lang, rr]) => [lang, mean(rr)] as const).sort();
      const weak = perLang.filter(([lang]) => WEAK_LANGUAGES.includes(lang));
      console.log(`${variant} β ${beta}: macro ${mean(perLang.map(([, m]) => m)).toFixed(3)} weak ${mean(weak.map(([, m]) => m)).toFixed(3)}`);
    }
  }
  await encoder.close?.();
}

await main();
