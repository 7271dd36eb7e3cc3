/**
 * Documents → passages ready to encode and store: split, each with the words BM25 indexes. This is CPU work in
 * proportion to the text (a 1 MB document takes about a second), so large writes run it on a worker thread
 * (passage-worker.ts) and the event loop keeps answering health checks and searches meanwhile; small ones run
 * inline, where the round trip would cost more than the work.
 */
import { Worker } from 'node:worker_threads';
import type { TokenLimit } from '../models/encoder.js';
import { splitPassages, type PassageSpan, type PassageSplitConfig } from './passages.js';
import { searchTextOf } from './search-text.js';

export interface PreparedPassage extends PassageSpan {
  searchText: string;
}

export function preparePassages(texts: readonly string[], config: PassageSplitConfig): PreparedPassage[][] {
  return texts.map((text) => splitPassages(text, config).map((span) => ({ ...span, searchText: searchTextOf(span.text) })));
}

/**
 * Splits again every passage the encoder would truncate (its tokens past maxTokens would never reach the vector),
 * with characters cut in proportion to its excess tokens, until each piece fits. Offsets stay document offsets.
 */
export function fitPassagesToTokens(documents: PreparedPassage[][], config: PassageSplitConfig, limit: TokenLimit): PreparedPassage[][] {
  const counts = limit.countTokens(documents.flat().map((p) => p.text));
  let next = 0;
  const fit = (passage: PassageSpan, tokens: number): PassageSpan[] => {
    if (tokens <= limit.maxTokens || passage.text.length <= 1) return [passage];
    // tokens > maxTokens, so maxChars < the passage's length: every piece is shorter and this ends.
    const maxChars = Math.max(1, Math.floor(((passage.text.length * limit.maxTokens) / tokens) * 0.9));
    const pieces = splitPassages(passage.text, { maxChars, overlapChars: Math.min(config.overlapChars, Math.floor((maxChars - 1) / 2)) });
    const pieceCounts = limit.countTokens(pieces.map((p) => p.text));
    return pieces.flatMap((piece, i) => fit({ text: piece.text, start: passage.start + piece.start, end: passage.start + piece.end }, pieceCounts[i]!));
  };
  return documents.map((passages) =>
    passages.flatMap((passage) => {
      const tokens = counts[next++]!;
      if (tokens <= limit.maxTokens) return [passage];
      return fit(passage, tokens).map((span) => ({ ...span, searchText: searchTextOf(span.text) }));
    }),
  );
}

export type PassageWorkerRequest = { id: number; texts: readonly string[]; config: PassageSplitConfig };
export type PassageWorkerReply = { id: number; passages: PreparedPassage[][] } | { id: number; message: string };

export interface PassagePreparer {
  /** The passages of each text, in order. */
  prepare(texts: readonly string[], config: PassageSplitConfig): Promise<PreparedPassage[][]>;
  /** Stops the worker thread; later calls run inline. */
  close(): Promise<void>;
}

/** Batches of fewer characters are prepared inline (~20 ms of work). */
export const DEFAULT_INLINE_MAX_CHARS = 50_000;

const WORKER_URL = new URL('./passage-worker.js', import.meta.url);

/** One worker thread, started on the first large batch, taking batches in order. */
export function createPassagePreparer(options: { inlineMaxChars?: number } = {}): PassagePreparer {
  const inlineMaxChars = options.inlineMaxChars ?? DEFAULT_INLINE_MAX_CHARS;
  const pending = new Map<number, { resolve(passages: PreparedPassage[][]): void; reject(err: Error): void }>();
  let worker: Worker | undefined;
  let nextId = 1;
  let closed = false;

  function failPending(err: Error): void {
    for (const request of pending.values()) request.reject(err);
    pending.clear();
  }

  /** The worker keeps the process alive only while a batch is out: an idle one must let a CLI verb end. */
  function holdProcessWhileBusy(): void {
    if (pending.size > 0) worker?.ref();
    else worker?.unref();
  }

  function start(): Worker {
    const started = new Worker(WORKER_URL);
    started.on('message', (reply: PassageWorkerReply) => {
      const request = pending.get(reply.id);
      if (!request) return;
      pending.delete(reply.id);
      if ('passages' in reply) request.resolve(reply.passages);
      else request.reject(new Error(reply.message));
      holdProcessWhileBusy();
    });
    const retire = (err: Error) => {
      if (worker !== started) return;
      worker = undefined; // the next large batch starts another
      failPending(err);
    };
    started.on('error', (err) => retire(new Error(`passage worker failed: ${err.message}`)));
    started.on('exit', (code) => retire(new Error(`passage worker exited (code ${code})`)));
    return started;
  }

  return {
    async prepare(texts, config) {
      const chars = texts.reduce((sum, text) => sum + text.length, 0);
      if (closed || chars < inlineMaxChars) return preparePassages(texts, config);
      worker ??= start();
      const id = nextId++;
      const prepared = new Promise<PreparedPassage[][]>((resolve, reject) => pending.set(id, { resolve, reject }));
      worker.postMessage({ id, texts, config } satisfies PassageWorkerRequest);
      // After the listeners and the request: a 'message' listener refs the worker again.
      holdProcessWhileBusy();
      return prepared;
    },
    async close() {
      closed = true;
      const stopping = worker;
      worker = undefined;
      failPending(new Error('the passage preparer is closed'));
      await stopping?.terminate();
    },
  };
}
