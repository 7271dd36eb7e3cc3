/**
 * Snapshots of a data directory: a consistent copy of the SQLite database (online backup API, so a running
 * server keeps serving and writing), the vector index files, and `snapshot.json` with the size and sha256 of
 * every file. Restore verifies every checksum before writing anything and only into an empty directory.
 *
 * Consistency: SQLite is the source of truth. Index files are copied before the database is backed up, so an
 * index is never ahead of the database it is restored with; an index that is behind catches up from the change
 * log at start, and one that cannot be trusted (torn copy, collection re-created meanwhile) is left out of the
 * snapshot and rebuilt from SQLite after the restore.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { COLLECTION_NAME_PATTERN } from './config.js';
import { DATABASE_FILE, INDEX_DIR } from './data-dir.js';
import { schemaVersion } from './database.js';
import type { Engine } from './engine.js';
import { TafutaError } from '../core/errors.js';
import { sha256File } from '../core/hash.js';
import { SYNC_HEAD_SQL, type SyncCursor } from './document-store.js';
import { fsyncDir, fsyncFile } from './durable-fs.js';
import type { HnswManifest } from './hnsw-store.js';
import { graphFileExtensionOf, removeGraphFiles } from './graph-store.js';

export const SNAPSHOT_MANIFEST = 'snapshot.json';
const FORMAT = 'tafuta-snapshot';
const VERSION = 1;
const DB_FILE = DATABASE_FILE;

export interface SnapshotFile {
  /** Relative to the snapshot (and to the data directory after a restore), with "/" separators. */
  path: string;
  bytes: number;
  sha256: string;
}

export interface SnapshotManifest {
  format: typeof FORMAT;
  version: number;
  createdAt: string;
  schemaVersion: number;
  collections: Array<{ name: string; documents: number; passages: number; index: boolean }>;
  files: SnapshotFile[];
}

/** Only these paths may appear in a manifest: a hostile one cannot write outside the target directory. */
function isAllowedPath(p: string): boolean {
  if (p === DB_FILE) return true;
  const m = /^indexes\/([^/]+)\.(hnsw|usearch|manifest\.json)$/.exec(p);
  return m !== null && COLLECTION_NAME_PATTERN.test(m[1]!);
}

function isEmptyDir(dir: string): boolean {
  return fs.readdirSync(dir).length === 0;
}

/** Creates `dir` or accepts an existing empty one; anything else is refused. Returns whether it was created. */
function prepareEmptyDir(dir: string, what: string): boolean {
  if (!fs.existsSync(dir)) {
    fs.mkdirSync(dir, { recursive: true });
    return true;
  }
  if (!fs.statSync(dir).isDirectory()) throw new TafutaError('INVALID_ARGUMENT', `${what} ${dir} exists and is not a directory`);
  if (!isEmptyDir(dir)) throw new TafutaError('INVALID_ARGUMENT', `${what} ${dir} is not empty; refusing to overwrite anything`);
  return false;
}

async function describeFile(root: string, rel: string): Promise<SnapshotFile> {
  const file = path.join(root, ...rel.split('/'));
  return { path: rel, bytes: fs.statSync(file).size, sha256: await sha256File(file) };
}

/**
 * Copies one index (file + manifest) and checks the pair agrees: a concurrent save replaces both files by
 * rename, so a copy can straddle two saves; then it is retried, and left out after a few attempts.
 */
async function copyIndex(sourceBase: string, targetBase: string): Promise<HnswManifest | undefined> {
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      fs.copyFileSync(`${sourceBase}.manifest.json`, `${targetBase}.manifest.json`);
      const manifest = JSON.parse(fs.readFileSync(`${targetBase}.manifest.json`, 'utf8')) as HnswManifest;
      const extension = graphFileExtensionOf(manifest);
      fs.copyFileSync(`${sourceBase}.${extension}`, `${targetBase}.${extension}`);
      if ((await sha256File(`${targetBase}.${extension}`)) === manifest.sha256) return manifest;
    } catch {
      // Missing or unreadable: try again, then leave it out.
    }
  }
  removeGraphFiles(targetBase);
  return undefined;
}

/** Step 1: the index files, as fresh as this process can make them (writes queued here are finished first). */
async function copyIndexes(engine: Engine, dataDir: string, targetIndexDir: string): Promise<Map<string, HnswManifest>> {
  await engine.whenIdle();
  engine.saveIndexes();
  const sourceIndexDir = path.join(dataDir, INDEX_DIR);
  fs.mkdirSync(targetIndexDir, { recursive: true });
  const indexManifests = new Map<string, HnswManifest>();
  const names = fs.existsSync(sourceIndexDir)
    ? fs.readdirSync(sourceIndexDir).flatMap((f) => {
        const m = /^(.+)\.manifest\.json$/.exec(f);
        return m && COLLECTION_NAME_PATTERN.test(m[1]!) ? [m[1]!] : [];
      })
    : [];
  for (const name of names) {
    const manifest = await copyIndex(path.join(sourceIndexDir, name), path.join(targetIndexDir, name));
    if (manifest) indexManifests.set(name, manifest);
  }
  return indexManifests;
}

/**
 * Step 3: keeps (in `indexManifests` and on disk) only the indexes that belong to a collection of the backed-up
 * database and are not ahead of it; returns the collections and the schema version.
 */
function keepTrustedIndexes(dbFile: string, indexManifests: Map<string, HnswManifest>, targetIndexDir: string): Pick<SnapshotManifest, 'collections' | 'schemaVersion'> {
  const db = new Database(dbFile);
  try {
    const version = schemaVersion(db);
    const rows = db
      .prepare(
        `SELECT c.id, c.name, c.created_at AS createdAt,
           (SELECT COUNT(*) FROM documents d WHERE d.collection_id = c.id) AS documents,
           (SELECT COUNT(*) FROM passages p WHERE p.collection_id = c.id) AS passages
         FROM collections c ORDER BY c.name`,
      )
      .all() as Array<{ id: number; name: string; createdAt: string; documents: number; passages: number }>;
    const syncHead = db.prepare(SYNC_HEAD_SQL);
    const heads = new Map(rows.map((r) => [r.name, syncHead.get({ id: r.id }) as SyncCursor]));
    const byName = new Map(rows.map((r) => [r.name, r]));
    for (const [name, manifest] of indexManifests) {
      const row = byName.get(name);
      const trusted =
        row !== undefined &&
        Date.parse(manifest.savedAt) >= Date.parse(row.createdAt) && // not the index of a dropped namesake
        manifest.cursor.passageId <= heads.get(name)!.passageId &&
        manifest.cursor.tombstoneSeq <= heads.get(name)!.tombstoneSeq;
      if (!trusted) {
        indexManifests.delete(name);
        removeGraphFiles(path.join(targetIndexDir, name));
      }
    }
    const collections = rows.map((r) => ({ name: r.name, documents: r.documents, passages: r.passages, index: indexManifests.has(r.name) }));
    return { collections, schemaVersion: version };
  } finally {
    db.close(); // checkpoints and removes the -wal/-shm files: the snapshot is the one .db file
  }
}

/** Step 4: checksums of everything, then the manifest last: its presence means the snapshot is complete. */
async function writeSnapshotManifest(out: string, indexManifests: Map<string, HnswManifest>, database: Pick<SnapshotManifest, 'collections' | 'schemaVersion'>): Promise<SnapshotManifest> {
  const rels = [DB_FILE, ...[...indexManifests.keys()].sort().flatMap((n) => [`${INDEX_DIR}/${n}.${graphFileExtensionOf(indexManifests.get(n)!)}`, `${INDEX_DIR}/${n}.manifest.json`])];
  const files: SnapshotFile[] = [];
  for (const rel of rels) {
    fsyncFile(path.join(out, ...rel.split('/')));
    files.push(await describeFile(out, rel));
  }
  const manifest: SnapshotManifest = { format: FORMAT, version: VERSION, createdAt: new Date().toISOString(), schemaVersion: database.schemaVersion, collections: database.collections, files };
  const manifestFile = path.join(out, SNAPSHOT_MANIFEST);
  fs.writeFileSync(`${manifestFile}.tmp`, `${JSON.stringify(manifest, null, 2)}\n`);
  fsyncFile(`${manifestFile}.tmp`);
  fs.renameSync(`${manifestFile}.tmp`, manifestFile);
  fsyncDir(path.join(out, INDEX_DIR));
  fsyncDir(out);
  return manifest;
}

/** Leaves nothing half-written behind: removes `dir` if this call created it, else only what it wrote there. */
function removeWritten(dir: string, created: boolean): void {
  if (created) fs.rmSync(dir, { recursive: true, force: true });
  else for (const entry of fs.readdirSync(dir)) fs.rmSync(path.join(dir, entry), { recursive: true, force: true });
}

/** Writes a snapshot of the engine's data directory into `out` (created, or an existing empty directory). */
export async function createSnapshot(engine: Engine, out: string): Promise<SnapshotManifest> {
  if (engine.storageInfo.kind !== 'sqlite') throw new TafutaError('INVALID_ARGUMENT', 'a PostgreSQL store is backed up by PostgreSQL (pg_dump, base backups), not by tafuta snapshot');
  const dataDir = engine.dataDir;
  if (dataDir === undefined) throw new TafutaError('INVALID_ARGUMENT', 'an in-memory engine cannot be snapshotted');
  const created = prepareEmptyDir(out, 'snapshot directory');
  try {
    const targetIndexDir = path.join(out, INDEX_DIR);
    const indexManifests = await copyIndexes(engine, dataDir, targetIndexDir);
    // Step 2: the database, after the indexes: every index is at or behind it.
    const dbFile = path.join(out, DB_FILE);
    await engine.backupDatabase(dbFile);
    const database = keepTrustedIndexes(dbFile, indexManifests, targetIndexDir);
    return await writeSnapshotManifest(out, indexManifests, database);
  } catch (error) {
    removeWritten(out, created);
    throw error;
  }
}

/** Reads and checks a snapshot's manifest, and every file's size and sha256. Throws INPUT_FILE when anything is off. */
export async function verifySnapshot(from: string): Promise<SnapshotManifest> {
  const manifestFile = path.join(from, SNAPSHOT_MANIFEST);
  if (!fs.existsSync(manifestFile)) throw new TafutaError('INPUT_FILE', `${from} is not a tafuta snapshot (no ${SNAPSHOT_MANIFEST})`);
  let manifest: SnapshotManifest;
  try {
    manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8')) as SnapshotManifest;
  } catch {
    throw new TafutaError('INPUT_FILE', `${manifestFile} is not valid JSON`);
  }
  if (manifest?.format !== FORMAT || manifest.version !== VERSION || !Array.isArray(manifest.files)) {
    throw new TafutaError('INPUT_FILE', `${manifestFile} is not a tafuta snapshot manifest of version ${VERSION}`);
  }
  const seen = new Set<string>();
  for (const f of manifest.files) {
    if (typeof f?.path !== 'string' || !isAllowedPath(f.path) || seen.has(f.path)) {
      throw new TafutaError('INPUT_FILE', `snapshot manifest lists an unexpected file: ${JSON.stringify(f?.path)}`);
    }
    seen.add(f.path);
    const file = path.join(from, ...f.path.split('/'));
    if (!fs.existsSync(file)) throw new TafutaError('INPUT_FILE', `snapshot file ${f.path} is missing`);
    const actual = await describeFile(from, f.path);
    if (actual.bytes !== f.bytes || actual.sha256 !== f.sha256) {
      throw new TafutaError('INPUT_FILE', `snapshot file ${f.path} does not match its checksum (corrupt or modified)`);
    }
  }
  if (!seen.has(DB_FILE)) throw new TafutaError('INPUT_FILE', `snapshot has no ${DB_FILE}`);
  return manifest;
}

/**
 * Restores a snapshot into `dataDir`, which must be missing or empty. Every checksum is verified first, the
 * files are copied into a staging directory, verified again, fsynced and moved into place.
 */
export async function restoreSnapshot(from: string, dataDir: string): Promise<SnapshotManifest> {
  if (fs.existsSync(dataDir) && (!fs.statSync(dataDir).isDirectory() || !isEmptyDir(dataDir))) {
    throw new TafutaError('INVALID_ARGUMENT', `data directory ${dataDir} is not empty; restore only into an empty or new directory`);
  }
  const manifest = await verifySnapshot(from);
  const created = prepareEmptyDir(dataDir, 'data directory');
  const staging = path.join(dataDir, `.restore-${process.pid}`);
  try {
    for (const f of manifest.files) {
      const target = path.join(staging, ...f.path.split('/'));
      fs.mkdirSync(path.dirname(target), { recursive: true });
      fs.copyFileSync(path.join(from, ...f.path.split('/')), target);
      fsyncFile(target);
      if ((await sha256File(target)) !== f.sha256) throw new TafutaError('INPUT_FILE', `snapshot file ${f.path} changed while it was restored`);
    }
    if (manifest.files.some((f) => f.path.startsWith(`${INDEX_DIR}/`))) fs.mkdirSync(path.join(dataDir, INDEX_DIR), { recursive: true });
    // Indexes first, the database last: a restore interrupted here leaves no database, hence nothing to trust.
    for (const f of [...manifest.files].sort((a, b) => Number(a.path === DB_FILE) - Number(b.path === DB_FILE))) {
      fs.renameSync(path.join(staging, ...f.path.split('/')), path.join(dataDir, ...f.path.split('/')));
    }
    fs.rmSync(staging, { recursive: true, force: true });
    fsyncDir(path.join(dataDir, INDEX_DIR));
    fsyncDir(dataDir);
    return manifest;
  } catch (error) {
    removeWritten(dataDir, created);
    throw error;
  }
}
