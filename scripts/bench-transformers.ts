/**
 * Transformers-encoder throughput: passages/s of a synthetic model with e5-small's shape (BERT, 12 layers, 384-d,
 * 12 heads, FFN 1536, 512 positions; random weights, scripts/synthetic-bert.ts), loaded through the same code as a
 * downloaded one, next to cmtp-base on the same texts. Speed depends on the shape and the token count, not on the
 * weights; the token count depends on the tokenizer, so besides the demo passages (whose WordPiece vocabulary here
 * is the corpus' own 30,000 most frequent words, so nearly one token per word: a real multilingual tokenizer splits
 * low-resource words into more pieces) it measures rows of fixed token counts, which hold for any tokenizer.
 * Writes docs/benchmarks/transformers.json and .md. Run: `npm run build && npm run bench:transformers`
 */
import fs from 'node:fs';
import path from 'node:path';
import { SHIPPED_MODELS_DIR } from '../bin/runtime.js';
import { splitPassages } from '../indexer/passages.js';
import type { Encoder } from '../models/encoder.js';
import { createParallelOnnxEncoder } from '../models/onnx/parallel-encoder.js';
import { createTransformersEncoder } from '../models/transformers/transformers-encoder.js';
import { DEMO_CORPUS, header, loadSample, log, machineLine, round, table, tempDir, writeReport } from './bench-common.js';
import { writeSyntheticBertDir } from './synthetic-bert.js';

const E5_SMALL_SHAPE = { hidden: 384, layers: 12, heads: 12, intermediate: 1536, maxPositions: 512 };
const VOCAB_WORDS = 30_000;
const FIXED_LENGTHS = [32, 128, 256, 512];
const THREADS = [1, 2];

const started = performance.now();
const startLoad = loadSample();

const passages = fs
  .readFileSync(DEMO_CORPUS, 'utf8')
  .trim()
  .split('\n')
  .flatMap((line) => splitPassages((JSON.parse(line) as { text: string }).text).map((p) => p.text));

/** The corpus' most frequent lower-cased words, as BERT's pre-tokenizer cuts them (letters, marks and digits). */
function frequentWords(texts: readonly string[], n: number): string[] {
  const counts = new Map<string, number>();
  for (const text of texts) for (const word of text.toLowerCase().match(/[\p{L}\p{M}\p{N}]+/gu) ?? []) counts.set(word, (counts.get(word) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1]).slice(0, n).map(([word]) => word);
}

const modelDir = path.join(tempDir('tafuta-bench-transformers-'), 'synthetic-e5-small');
log('writing the synthetic model');
writeSyntheticBertDir(modelDir, { shape: E5_SMALL_SHAPE, words: frequentWords(passages, VOCAB_WORDS), seed: 1 });
const modelMiB = round(fs.statSync(path.join(modelDir, 'onnx', 'model.onnx')).size / 2 ** 20, 1);

/**
 * Wall-clock and CPU seconds (all threads of this process) to embed `texts` in one call, after a small warm-up call.
 * On a shared machine the CPU time is the steadier figure: other processes stretch the wall clock, not it.
 */
async function timeEmbed(encoder: Encoder, texts: readonly string[]): Promise<{ seconds: number; cpuSeconds: number }> {
  await encoder.embed(texts.slice(0, 8), { kind: 'passage' });
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  await encoder.embed(texts, { kind: 'passage' });
  const cpu = process.cpuUsage(cpu0);
  return { seconds: (performance.now() - t0) / 1000, cpuSeconds: (cpu.user + cpu.system) / 1e6 };
}

interface Row {
  encoder: string;
  threads: string;
  texts: string;
  count: number;
  meanTokens?: number;
  passagesPerSecond: number;
  passagesPerCpuSecond: number;
}
const rows: Row[] = [];
const meanChars = round(passages.reduce((s, p) => s + p.length, 0) / passages.length, 0);

const { AutoTokenizer } = await import('@huggingface/transformers');
const tokenizer = await AutoTokenizer.from_pretrained(modelDir, { local_files_only: true });
/** Tokens the model sees per text on average: the tokenizer's count, capped at the maximum length. */
const meanTokens = (texts: readonly string[]) =>
  round(texts.reduce((s, t) => s + Math.min(tokenizer.encode(t).length, E5_SMALL_SHAPE.maxPositions), 0) / texts.length, 1);

const sets: { name: string; texts: string[] }[] = [{ name: `demo passages (${meanChars} chars)`, texts: passages }];
const common = frequentWords(passages, 500);
for (const length of FIXED_LENGTHS) {
  // Frequent words, one token each: `length` tokens with [CLS] and [SEP]; 8192 tokens per set, at least 16 rows.
  const count = Math.max(16, Math.round(8192 / length));
  const texts = Array.from({ length: count }, (_, i) => Array.from({ length: length - 2 }, (_, j) => common[(i * 31 + j * 7) % common.length]).join(' '));
  sets.push({ name: `${length} tokens`, texts });
}

for (const threads of THREADS) {
  const encoder = await createTransformersEncoder(modelDir, { intraOpNumThreads: threads });
  try {
    for (const set of sets) {
      log(`synthetic e5-small, ${threads} thread(s): ${set.name}`);
      const { seconds, cpuSeconds } = await timeEmbed(encoder, set.texts);
      const count = set.texts.length;
      rows.push({ encoder: 'synthetic e5-small', threads: String(threads), texts: set.name, count, meanTokens: meanTokens(set.texts), passagesPerSecond: round(count / seconds, 1), passagesPerCpuSecond: round(count / cpuSeconds, 1) });
    }
  } finally {
    await encoder.close?.();
  }
}

const cmtpDir = path.join(SHIPPED_MODELS_DIR, 'cmtp-base');
if (fs.existsSync(path.join(cmtpDir, 'model.json'))) {
  for (const workers of [0, 2]) {
    const encoder = await createParallelOnnxEncoder(cmtpDir, { intraOpNumThreads: 1, workers, wordCache: 0 });
    try {
      log(`cmtp-base, ${workers} workers, no word cache: demo passages`);
      // Forty times over, so that the run lasts long enough to time.
      const texts = Array.from({ length: 40 }, () => passages).flat();
      const { seconds, cpuSeconds } = await timeEmbed(encoder, texts);
      rows.push({
        encoder: 'cmtp-base (no word cache)',
        threads: `${workers} workers`,
        texts: `demo passages (${meanChars} chars) × 40`,
        count: texts.length,
        passagesPerSecond: round(texts.length / seconds, 1),
        passagesPerCpuSecond: round(texts.length / cpuSeconds, 1),
      });
    } finally {
      await encoder.close?.();
    }
  }
}

const head = header('transformers', 'scripts/bench-transformers.ts', startLoad, started);
const markdown = `# Transformers encoder throughput

${machineLine(head)}.

A synthetic model with e5-small's shape (BERT, ${E5_SMALL_SHAPE.layers} layers, ${E5_SMALL_SHAPE.hidden}-d, ${E5_SMALL_SHAPE.heads} heads, FFN ${E5_SMALL_SHAPE.intermediate}, fp32 ONNX of ${modelMiB} MiB;
random weights: speed does not depend on them) loaded through the transformers encoder (\`@huggingface/transformers\` on onnxruntime-node),
one embed call per set (batches of at most 64 rows / 8192 token slots, rows sorted by length), "threads" = onnxruntime intra-op threads
(\`TAFUTA_ENCODER_THREADS\`). The demo passages' token counts come from a WordPiece vocabulary of the corpus' own ${VOCAB_WORDS.toLocaleString('en')} most
frequent words (about one token per word); a real multilingual tokenizer cuts low-resource words into more pieces, so read real models off the
fixed-length rows. cmtp-base runs on the same passages, without its word cache (which would make repeated text nearly free).
"per CPU-second" divides by the CPU time of all the process's threads: on a machine that other processes share (see the load average)
the wall clock stretches and this does not, so it is close to what one idle core does per second.

${table(['encoder', 'threads', 'texts', 'count', 'mean tokens', 'passages/s', 'passages per CPU-second'], rows.map((r) => [r.encoder, r.threads, r.texts, r.count, r.meanTokens ?? '–', r.passagesPerSecond, r.passagesPerCpuSecond]))}
`;
writeReport('transformers', { ...head, shape: E5_SMALL_SHAPE, modelMiB, rows }, markdown);
fs.rmSync(path.dirname(modelDir), { recursive: true, force: true });
