/** The layout of a SQLite data directory: every file name under it is spelled here and nowhere else. */
import path from 'node:path';

/** The SQLite database (documents, passages, vectors, change log). */
export const DATABASE_FILE = 'tafuta.db';
/** Directory of the per-collection graph files (`<collection>.usearch` or `.hnsw`, with `<collection>.manifest.json`; graph-store.ts). */
export const INDEX_DIR = 'indexes';

export function databasePathOf(dataDir: string): string {
  return path.join(dataDir, DATABASE_FILE);
}

export function indexDirOf(dataDir: string): string {
  return path.join(dataDir, INDEX_DIR);
}

/** Path of a collection's index files without their extension. */
export function indexBaseOf(indexDir: string, collection: string): string {
  return path.join(indexDir, collection);
}
