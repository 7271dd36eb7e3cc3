/** Graded pair sets (`text1<TAB>text2<TAB>score`): Spearman's ρ between the encoder's cosine and the gold score. */
import fs from 'node:fs';
import { TafutaError } from '../core/errors.js';
import type { Encoder } from '../models/encoder.js';
import { dot } from '../indexer/vector-store.js';
import { spearman } from './spearman.js';

export interface GradedPair {
  text1: string;
  text2: string;
  score: number;
}

/** Reads a TSV of graded pairs; a first line whose score is not a number is a header. */
export function readPairs(file: string): GradedPair[] {
  if (!fs.existsSync(file)) throw new TafutaError('INPUT_FILE', `pairs file not found: ${file}`);
  const pairs: GradedPair[] = [];
  fs.readFileSync(file, 'utf8')
    .split(/\r?\n/)
    .forEach((line, i) => {
      if (line.trim() === '') return;
      const [text1, text2, score] = line.split('\t');
      const value = Number(score);
      if (i === 0 && score !== undefined && (score.trim() === '' || Number.isNaN(value))) return; // header
      if (text1 === undefined || text2 === undefined || score === undefined || score.trim() === '' || !Number.isFinite(value)) {
        throw new TafutaError('INPUT_FILE', `${file}:${i + 1}: expected "text1<TAB>text2<TAB>score"`);
      }
      pairs.push({ text1, text2, score: value });
    });
  if (pairs.length < 2) throw new TafutaError('INPUT_FILE', `${file}: need at least two pairs, found ${pairs.length}`);
  return pairs;
}

async function embedAll(encoder: Encoder, texts: readonly string[], batch = 256): Promise<Float32Array[]> {
  const out: Float32Array[] = [];
  // Both sides are embedded as queries: the task is symmetric, and a query is what a user would type.
  for (let i = 0; i < texts.length; i += batch) out.push(...(await encoder.embed(texts.slice(i, i + batch), { kind: 'query' })));
  return out;
}

export interface PairCorrelation {
  encoder: string;
  pairs: number;
  spearman: number;
}

/** Cosine of the two (L2-normalised) embeddings, correlated with the gold scores. */
export async function correlatePairs(encoder: Encoder, pairs: readonly GradedPair[]): Promise<PairCorrelation> {
  const left = await embedAll(encoder, pairs.map((p) => p.text1));
  const right = await embedAll(encoder, pairs.map((p) => p.text2));
  const cosines = left.map((v, i) => dot(v, right[i]!));
  return { encoder: encoder.info.name, pairs: pairs.length, spearman: spearman(cosines, pairs.map((p) => p.score)) };
}
