/**
 * A near-duplicate check between a benchmark's queries and a data build's training texts: per query language, how
 * many queries (of ≥ 4 word types) share at least `threshold` of their word types (Jaccard) with some training text,
 * split by the training pair's source. Exact benchmark strings are already kept out by the build's leakage guard;
 * this looks for edited copies (docs/results.md, *More data from npm*).
 * Run: `npm run build && node dist/scripts/query-overlap.js data-npm-catalogs ha,qu 0.5 [data/bench/mediawiki-xling]`
 */
import path from 'node:path';
import { readJsonl } from '../core/jsonl.js';

const MIN_TYPES = 4;

function wordTypes(text: string): Set<string> {
  return new Set(text.toLowerCase().match(/[\p{L}\p{N}_]+/gu) ?? []);
}

function jaccard(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  let shared = 0;
  for (const w of a) if (b.has(w)) shared++;
  return shared / (a.size + b.size - shared);
}

const [dataDir = 'data', langList = 'ha', thresholdArg = '0.5', benchDir = 'data/bench/mediawiki-xling'] = process.argv.slice(2);
const threshold = Number(thresholdArg);
const queries = readJsonl<{ text: string; lang?: string }>(path.join(benchDir, 'queries.jsonl'));
for (const lang of langList.split(',')) {
  const own = queries.filter((q) => q.lang === lang).map((q) => wordTypes(q.text)).filter((t) => t.size >= MIN_TYPES);
  const bySource = new Map<string, Set<string>[]>();
  for (const pair of readJsonl<{ text: string; source: string }>(path.join(dataDir, 'train', `${lang}.jsonl`))) {
    const texts = bySource.get(pair.source) ?? [];
    texts.push(wordTypes(pair.text));
    bySource.set(pair.source, texts);
  }
  for (const [source, texts] of [...bySource].sort()) {
    const close = own.filter((q) => texts.some((t) => t.size > 0 && jaccard(q, t) >= threshold)).length;
    process.stdout.write(`${lang}\t${source}\t${texts.length} texts\t${close} of ${own.length} queries with Jaccard ≥ ${threshold}\n`);
  }
}
