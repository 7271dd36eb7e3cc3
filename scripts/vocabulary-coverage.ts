/**
 * How much of each benchmark language's query vocabulary the training pairs contain, beside the encoder's MRR@10 on
 * those queries (issue 18: why the weakest languages stay weak). Words are the encoder's own (tokenize: normalised,
 * ICU-segmented); a query token is "seen" when the same word occurs on the low-resource side of a training pair of
 * the same language. Reads the dev queries only (the benches on disk hold no test half).
 *
 * Run: `node dist/scripts/vocabulary-coverage.js [dataDir] [encoder] [mode]` (defaults: data, cmtp-base, dense);
 * writes docs/eval/vocabulary-coverage/<encoder>.<mode>.{md,json}.
 */
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { PACKAGE_ROOT } from '../bin/runtime.js';
import { readQueries } from '../eval/bench.js';
import { tokenize } from '../text/normalize.js';

const BENCHES = ['mediawiki-xling', 'udhr', 'cldr-emoji'] as const;
/** Bounds of the per-query coverage buckets the pooled table splits MRR@10 by. */
const BUCKETS = [0, 0.25, 0.5, 0.75, 1.0001] as const;

interface TrainingVocabulary {
  pairs: number;
  words: Set<string>;
}

interface QueryCoverage {
  lang: string;
  coverage: number;
  mrr: number;
}

async function trainingVocabularies(trainDir: string): Promise<Map<string, TrainingVocabulary>> {
  const vocabularies = new Map<string, TrainingVocabulary>();
  for (const file of fs.readdirSync(trainDir).filter((name) => name.endsWith('.jsonl')).sort()) {
    const lines = readline.createInterface({ input: fs.createReadStream(path.join(trainDir, file)), crlfDelay: Infinity });
    for await (const line of lines) {
      if (!line.trim()) continue;
      const pair = JSON.parse(line) as { lang: string; text: string };
      let vocabulary = vocabularies.get(pair.lang);
      if (!vocabulary) vocabularies.set(pair.lang, (vocabulary = { pairs: 0, words: new Set() }));
      vocabulary.pairs++;
      for (const word of tokenize(pair.text)) vocabulary.words.add(word);
    }
  }
  return vocabularies;
}

function reciprocalRanksOf(reportFile: string): Map<string, number> {
  const report = JSON.parse(fs.readFileSync(reportFile, 'utf8')) as { perQuery: Array<{ id: string; metrics: { 'MRR@10': number } }> };
  return new Map(report.perQuery.map((row) => [row.id, row.metrics['MRR@10']]));
}

const mean = (values: readonly number[]) => (values.length === 0 ? NaN : values.reduce((a, b) => a + b, 0) / values.length);
const fixed = (value: number, digits = 3) => (Number.isNaN(value) ? '–' : value.toFixed(digits));

function benchTable(bench: string, vocabularies: Map<string, TrainingVocabulary>, queriesFile: string, ranks: Map<string, number>) {
  const byLanguage = new Map<string, { tokens: number; seenTokens: number; types: Set<string>; queries: QueryCoverage[] }>();
  for (const query of readQueries(queriesFile)) {
    const mrr = ranks.get(query.id);
    if (mrr === undefined) continue; // a benchmark evaluated on a sample of its queries
    const lang = query.lang ?? query.id.split('-')[0]!;
    const seen = vocabularies.get(lang)?.words ?? new Set<string>();
    const words = tokenize(query.text);
    let row = byLanguage.get(lang);
    if (!row) byLanguage.set(lang, (row = { tokens: 0, seenTokens: 0, types: new Set(), queries: [] }));
    const seenHere = words.filter((word) => seen.has(word)).length;
    row.tokens += words.length;
    row.seenTokens += seenHere;
    for (const word of words) row.types.add(word);
    row.queries.push({ lang, coverage: words.length === 0 ? 0 : seenHere / words.length, mrr });
  }
  const rows = [...byLanguage.entries()]
    .map(([lang, row]) => {
      const seen = vocabularies.get(lang)?.words ?? new Set<string>();
      return {
        lang,
        pairs: vocabularies.get(lang)?.pairs ?? 0,
        trainingWords: seen.size,
        queries: row.queries.length,
        tokenCoverage: row.tokens === 0 ? 0 : row.seenTokens / row.tokens,
        typeCoverage: row.types.size === 0 ? 0 : [...row.types].filter((word) => seen.has(word)).length / row.types.size,
        halfSeen: mean(row.queries.map((query) => (query.coverage >= 0.5 ? 1 : 0))),
        mrr: mean(row.queries.map((query) => query.mrr)),
      };
    })
    .sort((a, b) => a.tokenCoverage - b.tokenCoverage);
  const pooled = [...byLanguage.values()].flatMap((row) => row.queries);
  const buckets = BUCKETS.slice(0, -1).map((low, i) => {
    const inBucket = pooled.filter((query) => query.coverage >= low && query.coverage < BUCKETS[i + 1]!);
    return { from: low, to: Math.min(1, BUCKETS[i + 1]!), queries: inBucket.length, mrr: mean(inBucket.map((query) => query.mrr)) };
  });
  return { bench, rows, buckets };
}

async function main(): Promise<void> {
  const [dataDir = path.join(PACKAGE_ROOT, 'data'), encoder = 'cmtp-base', mode = 'dense'] = process.argv.slice(2);
  const vocabularies = await trainingVocabularies(path.join(dataDir, 'train'));
  const tables = BENCHES.map((bench) =>
    benchTable(bench, vocabularies, path.join(dataDir, 'bench', bench, 'queries.jsonl'), reciprocalRanksOf(path.join(PACKAGE_ROOT, 'docs', 'eval', `${bench}.${encoder}.${mode}.json`))),
  );
  const lines = [
    `# Query vocabulary seen in training (${encoder} · ${mode})`,
    '',
    `Generated by \`node dist/scripts/vocabulary-coverage.js\` (scripts/vocabulary-coverage.ts) from \`${path.relative(PACKAGE_ROOT, dataDir) || dataDir}/train\` and the dev queries each benchmark's report scored.`,
    'A query token is *seen* when the same word (tokenize: normalised, ICU word segments) occurs on the low-resource side of a',
    "training pair of the query's language. *Half seen*: share of queries with at least half of their tokens seen. MRR@10 from",
    `docs/eval/<bench>.${encoder}.${mode}.json. Rows sorted by token coverage.`,
  ];
  for (const { bench, rows, buckets } of tables) {
    lines.push('', `## ${bench}`, '', '| lang | training pairs | training words | queries | token coverage | type coverage | half seen | MRR@10 |', '|---|---:|---:|---:|---:|---:|---:|---:|');
    for (const row of rows) {
      lines.push(`| ${row.lang} | ${row.pairs} | ${row.trainingWords} | ${row.queries} | ${fixed(row.tokenCoverage)} | ${fixed(row.typeCoverage)} | ${fixed(row.halfSeen)} | ${fixed(row.mrr)} |`);
    }
    lines.push('', 'All languages pooled, MRR@10 by the share of a query\'s tokens seen in training:', '', '| tokens seen | queries | MRR@10 |', '|---|---:|---:|');
    for (const bucket of buckets) lines.push(`| ${fixed(bucket.from, 2)}–${fixed(bucket.to, 2)} | ${bucket.queries} | ${fixed(bucket.mrr)} |`);
  }
  const outDir = path.join(PACKAGE_ROOT, 'docs', 'eval', 'vocabulary-coverage');
  fs.mkdirSync(outDir, { recursive: true });
  const outBase = path.join(outDir, `${encoder}.${mode}`);
  fs.writeFileSync(`${outBase}.md`, `${lines.join('\n')}\n`);
  fs.writeFileSync(`${outBase}.json`, `${JSON.stringify({ encoder, mode, tables }, null, 2)}\n`);
  console.log(lines.join('\n'));
}

await main();
