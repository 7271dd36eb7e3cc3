/** Readers for a BEIR benchmark: `corpus.jsonl`, `queries.jsonl` ({_id, text, lang?}) and `qrels/<split>.tsv`. */
import fs from 'node:fs';
import path from 'node:path';
import { TafutaError } from '../core/errors.js';
import { readJsonlEntries } from '../core/jsonl.js';
import type { Qrels } from './metrics.js';

export interface BenchQuery {
  id: string;
  text: string;
  /** Query language; undefined when the file does not say. */
  lang: string | undefined;
}

export interface BenchFiles {
  corpus: string;
  queries: string;
  qrels: string;
}

function invalid(file: string, line: number, message: string): TafutaError {
  return new TafutaError('INPUT_FILE', `${file}:${line}: ${message}`);
}

function requireFile(file: string, what: string): void {
  if (!fs.existsSync(file) || !fs.statSync(file).isFile()) throw new TafutaError('INPUT_FILE', `${what} not found: ${file}`);
}

/** The files of a BEIR directory; explicit paths override its parts. Every file must exist. */
export function benchFiles(benchDir: string | undefined, split: string, overrides: Partial<BenchFiles> = {}): BenchFiles {
  if (benchDir !== undefined && !(fs.existsSync(benchDir) && fs.statSync(benchDir).isDirectory())) {
    throw new TafutaError('INPUT_FILE', `benchmark directory not found: ${benchDir}`);
  }
  const inDir = (name: string) => (benchDir === undefined ? undefined : path.join(benchDir, name));
  const files = {
    corpus: overrides.corpus ?? inDir('corpus.jsonl'),
    queries: overrides.queries ?? inDir('queries.jsonl'),
    qrels: overrides.qrels ?? inDir(path.join('qrels', `${split}.tsv`)),
  };
  for (const [what, file] of Object.entries(files)) {
    if (file === undefined) throw new TafutaError('INVALID_ARGUMENT', `no ${what} file: give a benchmark directory or the ${what} file`);
    requireFile(file, `${what} file`);
  }
  return files as BenchFiles;
}

function lines(file: string): string[] {
  return fs.readFileSync(file, 'utf8').split(/\r?\n/);
}

export function readQueries(file: string): BenchQuery[] {
  requireFile(file, 'queries file');
  const out: BenchQuery[] = [];
  const seen = new Set<string>();
  for (const { line, value } of readJsonlEntries(file)) {
    const { _id, text: query, lang } = (value ?? {}) as Record<string, unknown>;
    if (typeof _id !== 'string' || _id === '') throw invalid(file, line, 'expected a string "_id"');
    if (typeof query !== 'string') throw invalid(file, line, 'expected a string "text"');
    if (lang !== undefined && typeof lang !== 'string') throw invalid(file, line, '"lang" must be a string');
    if (seen.has(_id)) throw invalid(file, line, `query id "${_id}" appears twice`);
    seen.add(_id);
    out.push({ id: _id, text: query, lang: lang === '' ? undefined : lang });
  }
  return out;
}

/**
 * BEIR qrels: `query-id<TAB>corpus-id<TAB>score` with an optional header; TREC qrels (`qid 0 docid rel`) are
 * accepted too. Scores are integers (graded relevance; > 0 is relevant).
 */
export function readQrels(file: string): Qrels {
  requireFile(file, 'qrels file');
  const qrels = new Map<string, Map<string, number>>();
  lines(file).forEach((text, i) => {
    if (text.trim() === '') return;
    const fields = text.includes('\t') ? text.split('\t') : text.trim().split(/\s+/);
    if (i === 0 && fields[0] === 'query-id') return;
    const [qid, docid, score] = fields.length === 4 ? [fields[0], fields[2], fields[3]] : fields.length === 3 ? fields : [];
    if (qid === undefined || docid === undefined || score === undefined || qid === '' || docid === '') {
      throw invalid(file, i + 1, 'expected "query-id<TAB>corpus-id<TAB>score"');
    }
    const grade = Number(score);
    if (!Number.isInteger(grade)) throw invalid(file, i + 1, `score "${score}" is not an integer`);
    const judgements = qrels.get(qid) ?? new Map<string, number>();
    judgements.set(docid, grade);
    qrels.set(qid, judgements);
  });
  if (qrels.size === 0) throw new TafutaError('INPUT_FILE', `${file}: no judgements`);
  return qrels;
}
