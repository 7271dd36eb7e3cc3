/** Streaming readers for document files: JSONL, BEIR corpus.jsonl, and TSV (id<TAB>text). */
import fs from 'node:fs';
import { TafutaError } from '../core/errors.js';
import { fileLines } from '../core/jsonl.js';
import { documentSchema } from './schemas.js';
import type { DocumentInput } from './types.js';
import { formatIssues } from '../core/issues.js';

export type CorpusFormat = 'jsonl' | 'beir' | 'tsv';

export interface CorpusRecord {
  document: DocumentInput;
  /** 1-based line number in the file, for error messages. */
  line: number;
}

function invalid(file: string, line: number, message: string): TafutaError {
  return new TafutaError('INPUT_FILE', `${file}:${line}: ${message}`);
}

function fromJsonLine(text: string, format: 'jsonl' | 'beir'): unknown {
  const raw = JSON.parse(text) as Record<string, unknown>;
  if (format === 'jsonl' || raw === null || typeof raw !== 'object') return raw;
  // BEIR: {_id, title, text, metadata?}; an empty title is the BEIR way of saying "none".
  const { _id, title, ...rest } = raw;
  return { id: _id, ...(typeof title === 'string' && title.length > 0 ? { title } : {}), ...rest };
}

/** Yields validated documents; throws INPUT_FILE naming the line on the first malformed record. */
export async function* readCorpus(file: string, format: CorpusFormat): AsyncGenerator<CorpusRecord> {
  if (!fs.existsSync(file)) throw new TafutaError('INPUT_FILE', `input file not found: ${file}`);
  let line = 0;
  for await (const text of fileLines(file)) {
    line++;
    if (text.trim() === '') continue;
    let candidate: unknown;
    if (format === 'tsv') {
      const tab = text.indexOf('\t');
      if (tab < 0) throw invalid(file, line, 'expected "id<TAB>text"');
      const id = text.slice(0, tab);
      if (line === 1 && id.toLowerCase() === 'id') continue; // header row
      candidate = { id, text: text.slice(tab + 1) };
    } else {
      try {
        candidate = fromJsonLine(text, format);
      } catch {
        throw invalid(file, line, 'not valid JSON');
      }
    }
    const parsed = documentSchema.safeParse(candidate);
    if (!parsed.success) {
      throw invalid(file, line, formatIssues(parsed.error, { root: 'record' }));
    }
    yield { document: parsed.data, line };
  }
}

/** Groups an async stream into arrays of at most `size`. */
export async function* batches<T>(items: AsyncIterable<T>, size: number): AsyncGenerator<T[]> {
  let batch: T[] = [];
  for await (const item of items) {
    batch.push(item);
    if (batch.length >= size) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length) yield batch;
}
