import crypto from 'node:crypto';
import fs from 'node:fs';

/** Hex sha256 of a file read whole: for files that fit in memory anyway (training data, weights). */
export function sha256FileSync(file: string): string {
  return sha256Hex(fs.readFileSync(file));
}

/** Hex sha256 of a file read in 1 MiB chunks, yielding to the event loop between them (indexes, snapshots). */
export async function sha256File(file: string): Promise<string> {
  const hash = crypto.createHash('sha256');
  for await (const chunk of fs.createReadStream(file, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Hex sha256 of bytes, or of a string as UTF-8. */
export function sha256Hex(data: string | Uint8Array): string {
  return crypto.createHash('sha256').update(data).digest('hex');
}
