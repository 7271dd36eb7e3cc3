/**
 * Both sides of a pairs file through the frozen encoder, once: the vectors are cached on disk under a key of the
 * encoder (name + version), the pairs file's sha256 and the language, so retraining an adapter (another rank, seed
 * or temperature) does not embed again. English is embedded as passages (the documents a query in the language
 * looks for), the language's side as queries.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Encoder } from '../encoder.js';

export interface PairEmbeddings {
  /** [n, dim] each, row i of pair i. */
  en: Float32Array;
  text: Float32Array;
  cached: boolean;
}

const EMBED_BATCH = 256;

async function embedAll(encoder: Encoder, texts: readonly string[], kind: 'query' | 'passage', lang: string): Promise<Float32Array> {
  const dim = encoder.info.dim;
  const out = new Float32Array(texts.length * dim);
  for (let start = 0; start < texts.length; start += EMBED_BATCH) {
    const vectors = await encoder.embed(texts.slice(start, start + EMBED_BATCH), { kind, lang });
    vectors.forEach((v, k) => out.set(v, (start + k) * dim));
  }
  return out;
}

export function embeddingCacheKey(encoder: Encoder, pairsSha256: string, lang: string): string | undefined {
  if (encoder.info.version === undefined) return undefined; // nothing names its vectors: never reuse them
  return createHash('sha256').update(JSON.stringify({ encoder: encoder.info.name, version: encoder.info.version, pairs: pairsSha256, lang, sides: ['passage:en', 'query'] })).digest('hex').slice(0, 24);
}

export async function embedPairs(
  encoder: Encoder,
  pairs: ReadonlyArray<{ en: string; text: string }>,
  options: { lang: string; pairsSha256: string; cacheDir?: string | undefined },
): Promise<PairEmbeddings> {
  const size = pairs.length * encoder.info.dim;
  const key = options.cacheDir !== undefined ? embeddingCacheKey(encoder, options.pairsSha256, options.lang) : undefined;
  const file = key !== undefined ? path.join(options.cacheDir!, `${key}.f32`) : undefined;
  if (file !== undefined && fs.existsSync(file)) {
    const bytes = fs.readFileSync(file);
    if (bytes.length === 2 * size * 4) {
      const floats = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
      return { en: floats.slice(0, size), text: floats.slice(size), cached: true };
    }
  }
  const en = await embedAll(encoder, pairs.map((p) => p.en), 'passage', 'en');
  const text = await embedAll(encoder, pairs.map((p) => p.text), 'query', options.lang);
  if (file !== undefined) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const both = new Float32Array(2 * size);
    both.set(en);
    both.set(text, size);
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, Buffer.from(both.buffer));
    fs.renameSync(tmp, file);
  }
  return { en, text, cached: false };
}
