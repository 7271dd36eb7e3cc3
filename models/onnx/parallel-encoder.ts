/**
 * The ONNX encoder on several cores: large batches are cut into chunks that worker threads (encoder-worker.ts),
 * each with its own onnxruntime session, take from one queue; small batches (search queries) run on the calling
 * thread, where a round trip to a worker would cost more than the work. Workers start on the first large batch,
 * so a process that only answers queries never pays for them, and a worker that dies is replaced on the next batch.
 *
 * Why threads and not onnxruntime's own intra-op threads: featurisation (normalise, segment, hash) is a third of
 * the time and runs in JavaScript, and onnxruntime-node runs sessions on the JS thread, so only separate threads
 * put both cores to work on both halves (docs/benchmarks/encoder.md). Why a queue of small chunks and not one
 * slice per worker: texts of equal length differ in feature count (script, word length), and with one slice each
 * the batch waits for the slowest worker. The workers and the main thread share one word cache (word-vector-cache.ts),
 * so a word is pooled once per process whichever thread meets it first.
 */
import { Worker } from 'node:worker_threads';
import { langAt, type EmbedOptions, type Encoder } from '../encoder.js';
import { createOnnxEncoder, DEFAULT_WORD_CACHE, readOnnxEncoderManifest, type OnnxEncoderOptions } from './onnx-encoder.js';
import { createWordVectorCacheMemory } from './word-vector-cache.js';
import type { EncoderWorkerClose, EncoderWorkerData, EncoderWorkerMessage, EncoderWorkerRequest } from './encoder-worker.js';

export interface ParallelOnnxEncoderOptions extends OnnxEncoderOptions {
  /** Worker threads for large batches; 0 runs everything on the calling thread. */
  workers: number;
  /** Batches of at most this many texts run on the calling thread (default 32). */
  inlineMaxTexts?: number;
  /** Least characters per chunk sent to a worker (default 8,000). */
  minChunkChars?: number;
}

interface Chunk {
  texts: string[];
  options: EmbedOptions;
  resolve(vectors: Float32Array): void;
  reject(err: Error): void;
}

interface PoolWorker {
  worker: Worker;
  ready: boolean;
  /** Chunks sent and not answered yet, by request id. */
  inFlight: Map<number, Chunk>;
}

const WORKER_URL = new URL('./encoder-worker.js', import.meta.url);
/** Chunks a worker holds at once: one running, one waiting, so it never idles for a round trip. */
const IN_FLIGHT_PER_WORKER = 2;
/** Chunks per worker a batch is cut into: enough to even out uneven chunks, few enough that messages stay cheap. */
const CHUNKS_PER_WORKER = 4;
/**
 * Least characters per chunk: a chunk pays a message each way and two onnxruntime runs, which with the word cache
 * cost as much as ~100 short strings; 8,000 characters is about 30 passages or 150 UI strings.
 */
const DEFAULT_MIN_CHUNK_CHARS = 8000;

/**
 * Cuts texts into contiguous ranges of about `target` characters each (text length stands in for work): a range
 * ends at the first text that brings it to `target` or more, so every range but the last reaches it.
 */
export function chunkRangesByLength(lengths: readonly number[], target: number): Array<[number, number]> {
  const ranges: Array<[number, number]> = [];
  let start = 0;
  let chars = 0;
  for (let i = 0; i < lengths.length; i++) {
    chars += lengths[i]!;
    if (chars >= target) {
      ranges.push([start, i + 1]);
      start = i + 1;
      chars = 0;
    }
  }
  if (start < lengths.length) ranges.push([start, lengths.length]);
  return ranges;
}

/**
 * The young generation of a worker's JavaScript heap. A worker's old generation holds only a few MB, and V8 starts a
 * full mark-compact whenever the room left under its old-generation limit falls below the young generation's size
 * (and ArrayBuffers count against that room): with the default young generation (48 MB) that was one full GC every
 * ~50 ms, ~40 per worker per pass over the middle bench set, whose concurrent marking took about a sixth of the
 * machine's CPU. At 16 MB none happen and scavenges stay cheap (docs/cmtp.md, *Speed*).
 */
const WORKER_YOUNG_GENERATION_MB = 16;

/** How long a closing worker may take to release its sessions and end before it is terminated. */
const STOP_TIMEOUT_MS = 5000;

/**
 * Asks a worker to release its onnxruntime sessions and end by itself, and terminates it only if it does not:
 * terminating a thread while its sessions are alive aborted the whole process now and then (a native
 * `Napi::Error` thrown during the thread's teardown, about 1 run in 20 of the pool tests).
 */
async function stopWorker(worker: Worker): Promise<void> {
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  worker.postMessage({ type: 'close' } satisfies EncoderWorkerClose);
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), STOP_TIMEOUT_MS)));
  if (await Promise.race([exited.then(() => false), timedOut])) await worker.terminate();
  clearTimeout(timer);
}

export async function createParallelOnnxEncoder(modelDir: string, options: ParallelOnnxEncoderOptions): Promise<Encoder> {
  const { workers: workerCount, inlineMaxTexts = 32, minChunkChars = DEFAULT_MIN_CHUNK_CHARS, ...sessionOptions } = options;
  if (!Number.isInteger(workerCount) || workerCount < 0) throw new Error(`workers must be a non-negative integer, got ${workerCount}`);
  if (workerCount === 0) return createOnnxEncoder(modelDir, sessionOptions);
  // One word cache for the workers and the main thread, unless the caller brought one.
  const wordCache = sessionOptions.wordCache ?? DEFAULT_WORD_CACHE;
  if (!sessionOptions.sharedWordCache && Number.isInteger(wordCache) && wordCache > 0) {
    const manifest = await readOnnxEncoderManifest(modelDir);
    if (manifest.formatVersion === 3) sessionOptions.sharedWordCache = createWordVectorCacheMemory(manifest.dim, wordCache);
  }
  const inline = await createOnnxEncoder(modelDir, sessionOptions);
  const { dim, version } = inline.info;

  const pool: PoolWorker[] = [];
  const queue: Chunk[] = [];
  let nextRequestId = 1;
  let closed = false;

  /**
   * Takes a worker out of the pool (the next batch spawns a replacement), fails the chunks it held and stops it
   * (gracefully: it may hold live sessions, e.g. one that loaded another model version); resolves once it ended.
   */
  function retire(entry: PoolWorker, err: Error, { exited = false } = {}): Promise<void> {
    const at = pool.indexOf(entry);
    if (at < 0) return Promise.resolve();
    pool.splice(at, 1);
    for (const chunk of entry.inFlight.values()) chunk.reject(err);
    entry.inFlight.clear();
    const stopped = exited ? Promise.resolve() : stopWorker(entry.worker);
    // A worker that could not even start says the model cannot load: fail what waits rather than retry forever.
    if (!entry.ready) for (const chunk of queue.splice(0)) chunk.reject(err);
    pump();
    return stopped;
  }

  function spawn(): void {
    const data: EncoderWorkerData = { modelDir, options: sessionOptions };
    const worker = new Worker(WORKER_URL, { workerData: data, resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB } });
    const entry: PoolWorker = { worker, ready: false, inFlight: new Map() };
    worker.on('message', (message: EncoderWorkerMessage) => {
      switch (message.type) {
        case 'ready':
          if (message.version !== version) {
            void retire(entry, new Error(`encoder worker loaded ${modelDir} as version ${message.version}, the main thread as ${version}: the model changed on disk`));
          } else {
            entry.ready = true;
            pump();
          }
          return;
        case 'load-failed':
          void retire(entry, new Error(`encoder worker could not load ${modelDir}: ${message.message}`));
          return;
        case 'done':
        case 'failed': {
          const chunk = entry.inFlight.get(message.id);
          if (!chunk) return;
          entry.inFlight.delete(message.id);
          if (message.type === 'done') chunk.resolve(message.vectors);
          else chunk.reject(new Error(message.message));
          pump();
        }
      }
    });
    // An 'error' event means the thread died of an uncaught exception and is ending anyway.
    worker.on('error', (err) => void retire(entry, new Error(`encoder worker failed: ${err.message}`), { exited: true }));
    worker.on('exit', (code) => void retire(entry, new Error(`encoder worker exited (code ${code})`), { exited: true }));
    pool.push(entry);
    // After the listeners, not before: adding a 'message' listener refs the worker's port again, and a ref'd idle
    // worker kept every CLI verb and every SIGTERMed server alive after its first large batch.
    holdProcessWhileBusy();
  }

  /**
   * Workers keep the process alive only while there is work (chunks queued, or sent and not answered): an idle pool
   * must let a CLI verb end, and a busy one must not let it end under a pending batch.
   */
  function holdProcessWhileBusy(): void {
    for (const entry of pool) {
      if (queue.length > 0 || entry.inFlight.size > 0) entry.worker.ref();
      else entry.worker.unref();
    }
  }

  /** Hands queued chunks to ready workers with room, least loaded first; starts missing workers. */
  function pump(): void {
    if (!closed && queue.length > 0) {
      while (pool.length < workerCount) spawn();
      assign();
    }
    holdProcessWhileBusy();
  }

  function assign(): void {
    for (;;) {
      const chunk = queue[0];
      if (!chunk) return;
      let target: PoolWorker | undefined;
      for (const entry of pool) {
        if (entry.ready && entry.inFlight.size < IN_FLIGHT_PER_WORKER && (!target || entry.inFlight.size < target.inFlight.size)) target = entry;
      }
      if (!target) return;
      queue.shift();
      const id = nextRequestId++;
      target.inFlight.set(id, chunk);
      const request: EncoderWorkerRequest = { id, texts: chunk.texts, options: chunk.options };
      target.worker.postMessage(request);
    }
  }

  function enqueue(texts: string[], chunkOptions: EmbedOptions): Promise<Float32Array> {
    return new Promise((resolve, reject) => {
      queue.push({ texts, options: chunkOptions, resolve, reject });
      pump();
    });
  }

  /**
   * A process that ends without closing the encoder (its event loop ran empty: idle workers do not hold it) would
   * tear the workers down with their onnxruntime sessions alive, which aborts the process now and then. So idle
   * workers are stopped gracefully first; the next batch, if any, spawns new ones.
   */
  const stopIdleWorkersBeforeExit = () => {
    for (const entry of [...pool]) if (entry.inFlight.size === 0) void retire(entry, new Error('the process is exiting'));
  };
  process.on('beforeExit', stopIdleWorkersBeforeExit);

  return {
    info: inline.info,
    async embed(texts: readonly string[], embedOptions: EmbedOptions): Promise<Float32Array[]> {
      if (closed) throw new Error(`ONNX encoder ${inline.info.name} is closed`);
      if (texts.length <= inlineMaxTexts) return inline.embed(texts, embedOptions);
      if (Array.isArray(embedOptions.lang) && embedOptions.lang.length !== texts.length) {
        throw new Error(`lang has ${embedOptions.lang.length} entries for ${texts.length} texts`);
      }
      const lengths = texts.map((t) => t.length);
      const total = lengths.reduce((a, b) => a + b, 0);
      const target = Math.max(minChunkChars, Math.ceil(total / (workerCount * CHUNKS_PER_WORKER)));
      const parts = await Promise.all(
        chunkRangesByLength(lengths, target).map(([start, end]) => {
          const slice = texts.slice(start, end);
          const lang = typeof embedOptions.lang === 'object' ? slice.map((_, i) => langAt(embedOptions.lang, start + i)) : embedOptions.lang;
          return enqueue(slice, { kind: embedOptions.kind, lang });
        }),
      );
      const out: Float32Array[] = [];
      for (const flat of parts) for (let at = 0; at < flat.length; at += dim) out.push(flat.slice(at, at + dim));
      return out;
    },
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      process.off('beforeExit', stopIdleWorkersBeforeExit);
      const err = new Error(`ONNX encoder ${inline.info.name} is closed`);
      for (const chunk of queue.splice(0)) chunk.reject(err);
      await Promise.all([...pool].map((entry) => retire(entry, err)));
      await inline.close?.();
    },
  };
}
