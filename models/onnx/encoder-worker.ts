/**
 * A worker thread of the parallel ONNX encoder (parallel-encoder.ts): loads one model directory with its own
 * onnxruntime session and embeds the batches the main thread sends, so featurisation and the graph run off the
 * main thread and on several cores at once.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createOnnxEncoder, type OnnxEncoderOptions } from './onnx-encoder.js';
import type { EmbedOptions } from '../encoder.js';

export interface EncoderWorkerData {
  modelDir: string;
  options: OnnxEncoderOptions;
}

export type EncoderWorkerRequest = { id: number; texts: string[]; options: EmbedOptions };
/** Releases the onnxruntime sessions and lets the thread end by itself (see the pool's close). */
export type EncoderWorkerClose = { type: 'close' };

export type EncoderWorkerMessage =
  | { type: 'ready'; version: string | undefined }
  | { type: 'load-failed'; message: string }
  | { type: 'done'; id: number; vectors: Float32Array }
  | { type: 'failed'; id: number; message: string };

const port = parentPort;
if (!port) throw new Error('encoder-worker.js runs as a worker thread');
const { modelDir, options } = workerData as EncoderWorkerData;
const send = (message: EncoderWorkerMessage, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer);

try {
  const encoder = await createOnnxEncoder(modelDir, options);
  const dim = encoder.info.dim;
  /** Batches still running: close waits for them, so no session is released under a run. */
  const running = new Set<Promise<void>>();
  port.on('message', (request: EncoderWorkerRequest | EncoderWorkerClose) => {
    if ('type' in request) {
      void Promise.allSettled(running)
        .then(() => encoder.close?.())
        .finally(() => port.close());
      return;
    }
    const run = encoder.embed(request.texts, request.options).then(
      (vectors) => {
        // One flat buffer, moved (not copied) to the main thread.
        const flat = new Float32Array(vectors.length * dim);
        vectors.forEach((v, i) => flat.set(v, i * dim));
        send({ type: 'done', id: request.id, vectors: flat }, [flat.buffer]);
      },
      (err: unknown) => send({ type: 'failed', id: request.id, message: err instanceof Error ? err.message : String(err) }),
    );
    running.add(run);
    void run.finally(() => running.delete(run));
  });
  send({ type: 'ready', version: encoder.info.version });
} catch (err) {
  send({ type: 'load-failed', message: err instanceof Error ? err.message : String(err) });
}
