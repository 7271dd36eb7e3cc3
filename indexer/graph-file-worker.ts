/** The worker thread of graph-file-check.ts: verifies one graph file and answers once. */
import { parentPort, workerData } from 'node:worker_threads';
import { verifyGraphFileNow, type GraphFileCheck } from './graph-file-check.js';

if (!parentPort) throw new Error('graph-file-worker.js runs as a worker thread');
parentPort.postMessage(verifyGraphFileNow(workerData as GraphFileCheck));
