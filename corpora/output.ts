import { sha256Hex } from '../core/hash.js';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { dirname, relative } from 'node:path';
import type { OutputRecord } from './types.js';

export async function writeJsonl(path: string, records: readonly object[]): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, records.map((r) => JSON.stringify(r)).join('\n') + (records.length ? '\n' : ''));
}

/** Size, sha256 and line count of a written file, with its path relative to outDir. */
export async function describeOutput(outDir: string, path: string): Promise<OutputRecord> {
  const bytes = await readFile(path);
  let lines = 0;
  for (const b of bytes) if (b === 0x0a) lines++;
  return {
    path: relative(outDir, path),
    bytes: (await stat(path)).size,
    sha256: sha256Hex(bytes),
    records: lines,
  };
}

/** Runs fn over items with at most `limit` in flight; results keep input order. */
export async function mapPool<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
