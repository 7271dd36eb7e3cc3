import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface BeirDoc { _id: string; title: string; text: string }
export interface BeirQuery { _id: string; text: string; lang: string }
export interface BeirQrel { queryId: string; docId: string; score: number }

export interface BeirBench {
  corpus: BeirDoc[];
  queries: BeirQuery[];
  qrels: BeirQrel[];
}

const jsonl = (rows: readonly object[]): string => rows.map((row) => JSON.stringify(row)).join('\n') + (rows.length ? '\n' : '');

/** Writes `<dir>/corpus.jsonl`, `<dir>/queries.jsonl`, `<dir>/qrels/<split>.tsv` (with header). Returns the paths. */
export async function writeBeir(dir: string, bench: BeirBench, split = 'dev'): Promise<string[]> {
  await mkdir(join(dir, 'qrels'), { recursive: true });
  const corpusPath = join(dir, 'corpus.jsonl');
  const queriesPath = join(dir, 'queries.jsonl');
  const qrelsPath = join(dir, 'qrels', `${split}.tsv`);
  await writeFile(corpusPath, jsonl(bench.corpus.map(({ _id, title, text }) => ({ _id, title, text }))));
  await writeFile(queriesPath, jsonl(bench.queries.map(({ _id, text, lang }) => ({ _id, text, lang }))));
  const qrelLines = bench.qrels.map((q) => `${q.queryId}\t${q.docId}\t${q.score}`);
  await writeFile(qrelsPath, ['query-id\tcorpus-id\tscore', ...qrelLines].join('\n') + '\n');
  return [corpusPath, queriesPath, qrelsPath];
}

/** Query counts per language. */
export function queriesPerLang(bench: BeirBench): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const q of bench.queries) counts[q.lang] = (counts[q.lang] ?? 0) + 1;
  return counts;
}
