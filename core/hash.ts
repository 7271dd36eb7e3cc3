import crypto from 'node:crypto';
import fs from 'node:fs';

/** How much of a file a checksum (or a check reading the file front to back) holds at once. */
export const CHUNK_BYTES = 1 << 20;

/**
 * Hex sha256 of a file read in 1 MiB chunks, synchronously: a checksum never holds the file, which for a saved graph
 * is most of the process's memory again (docs/benchmarks/notes/2.9-memory.md).
 */
export function sha256FileSync(file: string): string {
  const hash = crypto.createHash('sha256');
  const chunk = Buffer.allocUnsafe(CHUNK_BYTES);
  const fd = fs.openSync(file, 'r');
  try {
    for (let read = fs.readSync(fd, chunk); read > 0; read = fs.readSync(fd, chunk)) hash.update(chunk.subarray(0, read));
  } finally {
    fs.closeSync(fd);
  }
  return hash.digest('hex');
}

/** Hex sha256 of a file read in 1 MiB chunks, yielding to the event loop between them (indexes, snapshots). */
export async function sha256File(file: string): Promise<string> {
  const hash = crypto.createHash('sha256');
  for await (const chunk of fs.createReadStream(file, { highWaterMark: CHUNK_BYTES })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Hex sha256 of bytes, or of a string as UTF-8. */
export function sha256Hex(data: string | Uint8Array): string {
  return crypto.createHash('sha256').update(data).digest('hex');
}
