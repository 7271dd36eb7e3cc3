/** The worker thread of passage-preparation.ts: prepares the passages of the batches the main thread sends. */
import { parentPort } from 'node:worker_threads';
import { preparePassages, type PassageWorkerReply, type PassageWorkerRequest } from './passage-preparation.js';

const port = parentPort;
if (!port) throw new Error('passage-worker.js runs as a worker thread');

port.on('message', ({ id, texts, config }: PassageWorkerRequest) => {
  let reply: PassageWorkerReply;
  try {
    reply = { id, passages: preparePassages(texts, config) };
  } catch (err) {
    reply = { id, message: err instanceof Error ? err.message : String(err) };
  }
  port.postMessage(reply);
});
