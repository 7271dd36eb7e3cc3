/**
 * The ONNX encoder on several cores: large batches are split across worker threads (encoder-worker.ts), each with
 * its own onnxruntime session; small batches (search queries) run on the calling thread, where a round trip to a
 * worker would cost more than the work. Workers start on the first large batch, so a process that only answers
 * queries never pays for them, and a worker that dies is replaced on the next batch.
 *
 * Why threads and not onnxruntime's own intra-op threads: featurisation (normalise, segment, hash) is a third of
 * the time and runs in JavaScript, and onnxruntime-node runs sessions on the JS thread, so only separate threads
 * put both cores to work on both halves (docs/benchmarks/encoder.md).
 */
import { Worker } from 'node:worker_threads';
import { langAt, type EmbedOptions, type Encoder } from '../encoder.js';
import { createOnnxEncoder, type OnnxEncoderOptions } from './onnx-encoder.js';
import type { EncoderWorkerData, EncoderWorkerMessage, EncoderWorkerRequest } from './encoder-worker.js';

export interface ParallelOnnxEncoderOptions extends OnnxEncoderOptions {
  /** Worker threads for large batches; 0 runs everything on the calling thread. */
  workers: number;
  /** Batches of at most this many texts run on the calling thread (default 32). */
  inlineMaxTexts?: number;
}

interface Job {
  resolve(vectors: Float32Array): void;
  reject(err: Error): void;
  texts: number;
}

interface PoolWorker {
  worker: Worker;
  ready: Promise<void>;
  jobs: Map<number, Job>;
  /** Texts sent and not answered yet: the next slice goes to the least loaded worker. */
  pendingTexts: number;
}

const WORKER_URL = new URL('./encoder-worker.js', import.meta.url);

/** Splits [0, lengths.length) into at most `parts` contiguous ranges of roughly equal total length. */
export function balancedRanges(lengths: readonly number[], parts: number): Array<[number, number]> {
  const total = lengths.reduce((s, n) => s + n + 1, 0);
  const ranges: Array<[number, number]> = [];
  let start = 0;
  let acc = 0;
  for (let i = 0; i < lengths.length; i++) {
    acc += lengths[i]! + 1;
    const left = lengths.length - (i + 1);
    if (ranges.length < parts - 1 && left > 0 && acc >= (total * (ranges.length + 1)) / parts) {
      ranges.push([start, i + 1]);
      start = i + 1;
    }
  }
  if (start < lengths.length) ranges.push([start, lengths.length]);
  return ranges;
}

export async function createParallelOnnxEncoder(modelDir: string, options: ParallelOnnxEncoderOptions): Promise<Encoder> {
  const { workers: workerCount, inlineMaxTexts = 32, ...sessionOptions } = options;
  if (!Number.isInteger(workerCount) || workerCount < 0) throw new Error(`workers must be a non-negative integer, got ${workerCount}`);
  const inline = await createOnnxEncoder(modelDir, sessionOptions);
  if (workerCount === 0) return inline;
  const { dim, version } = inline.info;

  const pool: PoolWorker[] = [];
  let nextJobId = 1;
  let closed = false;

  /** Takes a worker out of the pool at once (the next batch spawns a replacement) and fails what it still owed. */
  function retire(entry: PoolWorker, err: Error): void {
    const at = pool.indexOf(entry);
    if (at >= 0) pool.splice(at, 1);
    for (const job of entry.jobs.values()) job.reject(err);
    entry.jobs.clear();
    entry.pendingTexts = 0;
    void entry.worker.terminate();
  }

  function spawn(): PoolWorker {
    const data: EncoderWorkerData = { modelDir, options: sessionOptions };
    const worker = new Worker(WORKER_URL, { workerData: data });
    worker.unref(); // an idle pool does not keep the process alive (embedOn refs it while jobs are out)
    let markReady: () => void;
    let rejectReady: (err: Error) => void;
    const entry: PoolWorker = {
      worker,
      jobs: new Map(),
      pendingTexts: 0,
      ready: new Promise<void>((resolve, reject) => {
        markReady = resolve;
        rejectReady = reject;
      }),
    };
    entry.ready.catch(() => {}); // observed by whoever awaits it; a failed start must not be unhandled here
    const fail = (err: Error) => {
      rejectReady(err);
      retire(entry, err);
    };
    worker.on('message', (message: EncoderWorkerMessage) => {
      switch (message.type) {
        case 'ready':
          if (message.version === version) markReady();
          else fail(new Error(`encoder worker loaded ${modelDir} as version ${message.version}, the main thread as ${version}: the model changed on disk`));
          return;
        case 'load-failed':
          fail(new Error(`encoder worker could not load ${modelDir}: ${message.message}`));
          return;
        case 'done':
        case 'failed': {
          const job = entry.jobs.get(message.id);
          if (!job) return;
          entry.jobs.delete(message.id);
          entry.pendingTexts -= job.texts;
          if (entry.jobs.size === 0) worker.unref();
          if (message.type === 'done') job.resolve(message.vectors);
          else job.reject(new Error(message.message));
        }
      }
    });
    worker.on('error', (err) => fail(new Error(`encoder worker failed: ${err.message}`)));
    worker.on('exit', (code) => fail(new Error(`encoder worker exited (code ${code})`)));
    pool.push(entry);
    return entry;
  }

  function leastLoaded(): PoolWorker {
    while (pool.length < workerCount) spawn();
    return pool.reduce((best, w) => (w.pendingTexts < best.pendingTexts ? w : best));
  }

  async function embedOn(entry: PoolWorker, texts: string[], embedOptions: EmbedOptions): Promise<Float32Array> {
    entry.pendingTexts += texts.length; // queued here while it starts: balancing counts it already
    await entry.ready; // a failed start has retired the worker and reset its counts
    if (!pool.includes(entry)) throw new Error('encoder worker stopped before the batch was sent');
    const id = nextJobId++;
    const result = new Promise<Float32Array>((resolve, reject) => entry.jobs.set(id, { resolve, reject, texts: texts.length }));
    entry.worker.ref();
    const request: EncoderWorkerRequest = { id, texts, options: embedOptions };
    entry.worker.postMessage(request);
    return result;
  }

  return {
    info: inline.info,
    async embed(texts: readonly string[], embedOptions: EmbedOptions): Promise<Float32Array[]> {
      if (closed) throw new Error(`ONNX encoder ${inline.info.name} is closed`);
      if (texts.length <= inlineMaxTexts) return inline.embed(texts, embedOptions);
      if (Array.isArray(embedOptions.lang) && embedOptions.lang.length !== texts.length) {
        throw new Error(`lang has ${embedOptions.lang.length} entries for ${texts.length} texts`);
      }
      const ranges = balancedRanges(texts.map((t) => t.length), workerCount);
      const parts = await Promise.all(
        ranges.map(([start, end]) => {
          const slice = texts.slice(start, end);
          const lang = typeof embedOptions.lang === 'object' ? slice.map((_, i) => langAt(embedOptions.lang, start + i)) : embedOptions.lang;
          return embedOn(leastLoaded(), slice, { kind: embedOptions.kind, lang });
        }),
      );
      const out: Float32Array[] = [];
      for (const flat of parts) for (let at = 0; at < flat.length; at += dim) out.push(flat.slice(at, at + dim));
      return out;
    },
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      const closing = [...pool];
      for (const entry of closing) retire(entry, new Error(`ONNX encoder ${inline.info.name} is closed`));
      await Promise.all(closing.map((entry) => entry.worker.terminate()));
      await inline.close?.();
    },
  };
}
