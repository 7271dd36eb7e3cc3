/**
 * The expensive, side-effect-free half of loading a saved graph: read the index file, compare its sha256 with the
 * manifest's and run the structural check of its library (usearch-file.ts, hnsw-file.ts), in one streaming pass. The other half, the
 * library's own load of the verified file, is in the stores. Split so that a server adopting a graph another process
 * saved (saved-graph-adoption.ts) runs this half on a worker thread and blocks its event loop only for the load.
 *
 * The file's identity (inode, size, mtime) is taken before it is read: the store compares it again after its
 * library has loaded the file, so the bytes loaded are the bytes verified (index files are only replaced by rename).
 */
import fs from 'node:fs';
import { Worker } from 'node:worker_threads';
import { fileIdentityOf } from './durable-fs.js';
import { HashedFileBytes } from './graph-file-bytes.js';
import { checkHnswFile } from './hnsw-file.js';
import { checkUsearchFile, type UsearchScalar } from './usearch-file.js';

export type GraphFileCheck =
  | { library: 'usearch'; file: string; sha256: string; dim: number; M: number; scalar: UsearchScalar }
  | { library: 'hnswlib'; file: string; sha256: string; dim: number; M: number };

/** `identity`: the file's before it was read; `elements` and `deleted`: what its structure holds. */
export type GraphFileVerdict = { identity: string; elements: number; deleted: number; problem?: undefined } | { problem: string };

/** Verifies a graph file off the main thread (graphFileVerifierOnWorker) or on it (verifyGraphFileNow); a seam for tests. */
export type GraphFileVerifier = (check: GraphFileCheck) => Promise<GraphFileVerdict>;

/**
 * One pass over the file (graph-file-bytes.ts): the structural check reads it front to back while every chunk is hashed,
 * holding one chunk, not the file. A checksum mismatch is reported before a structural problem, as when the checksum
 * was taken first: the rest of the file is read for it when the check stops early.
 */
export function verifyGraphFileNow(check: GraphFileCheck): GraphFileVerdict {
  const identity = fileIdentityOf(check.file);
  if (identity === undefined) return { problem: 'index file missing' };
  let checked: ReturnType<typeof checkUsearchFile>;
  let sha256: string;
  let fd: number | undefined;
  try {
    fd = fs.openSync(check.file, 'r');
    const bytes = new HashedFileBytes(fd, fs.fstatSync(fd).size);
    checked = check.library === 'usearch' ? checkUsearchFile(bytes, check) : checkHnswFile(bytes, check);
    sha256 = bytes.sha256();
  } catch (error) {
    return { problem: `index file could not be read: ${(error as Error).message}` };
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
  if (sha256 !== check.sha256) return { problem: 'index file checksum mismatch (corrupt or torn write)' };
  if ('problem' in checked) return { problem: `index file is unsound: ${checked.problem}` };
  return { identity, elements: checked.elements, deleted: checked.deleted };
}

const WORKER_URL = new URL('./graph-file-worker.js', import.meta.url);

/**
 * verifyGraphFileNow on a worker thread of its own, ended once it has answered. A worker per verification: a
 * server adopts a saved graph a few times per import, and a worker started per call leaves nothing to close at
 * shutdown (starting one costs ~30 ms, off the main thread). A worker that fails reads as a file not verified.
 */
export const graphFileVerifierOnWorker: GraphFileVerifier = (check) =>
  new Promise((resolve) => {
    const worker = new Worker(WORKER_URL, { workerData: check });
    let answered = false;
    const answer = (verdict: GraphFileVerdict) => {
      if (answered) return;
      answered = true;
      resolve(verdict);
      void worker.terminate();
    };
    worker.once('message', answer);
    worker.once('error', (error) => answer({ problem: `index file check failed: ${error.message}` }));
    worker.once('exit', (code) => answer({ problem: `index file check ended without an answer (exit ${code})` }));
  });
