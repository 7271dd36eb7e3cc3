/** Opens the SQLite database (WAL, foreign keys) and brings its schema up to date; checks a database file for damage. */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { TEXT_NORMALIZATION_VERSION } from '../text/normalize.js';
import { searchTextOf } from './search-text.js';

export type Db = Database.Database;

const MMAP_BYTES = 1 << 30;
const CACHE_KIB = 64 * 1024;

export const MIGRATIONS_DIR = fileURLToPath(new URL('../../migrations/', import.meta.url));

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** Reads `NNN_description.sql` files in version order. */
export function readMigrations(dir: string = MIGRATIONS_DIR): Migration[] {
  return fs
    .readdirSync(dir)
    .map((file) => /^(\d+)_(.+)\.sql$/.exec(file))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ version: Number(m[1]), name: m[2]!, sql: fs.readFileSync(path.join(dir, m[0]), 'utf8') }))
    .sort((a, b) => a.version - b.version);
}

function computePassageSearchText(db: Db): void {
  const rows = db.prepare('SELECT id, text FROM passages').iterate() as IterableIterator<{ id: number; text: string }>;
  const update = db.prepare('UPDATE passages SET search_text = ? WHERE id = ?');
  const pending: Array<[string, number]> = [];
  for (const row of rows) pending.push([searchTextOf(row.text), row.id]);
  for (const [text, id] of pending) update.run(text, id);
}

function computeTitleSearchText(db: Db): void {
  const titled = db.prepare('SELECT id, title FROM documents WHERE title IS NOT NULL').all() as Array<{ id: number; title: string }>;
  const update = db.prepare('UPDATE passages SET title_search_text = ? WHERE document_id = ?');
  for (const { id, title } of titled) update.run(searchTextOf(title), id);
}

/** passages_fts indexes the passages table as it is now (its triggers follow inserts and deletes, not these updates). */
function rebuildFullTextIndex(db: Db): void {
  db.exec("INSERT INTO passages_fts (passages_fts) VALUES ('rebuild')");
}

/**
 * Data steps that SQL alone cannot do, run in the same transaction right after the migration of that version.
 * v2 added `search_text` and v6 `title_search_text`, which only the TypeScript normaliser can compute for existing rows.
 */
const BACKFILLS: Record<number, (db: Db) => void> = {
  2(db) {
    computePassageSearchText(db);
    rebuildFullTextIndex(db);
  },
  6(db) {
    computeTitleSearchText(db);
    rebuildFullTextIndex(db);
  },
};

const TEXT_NORMALIZATION_SETTING = 'text_normalization_version';

/** The text normalisation version that computed the stored search text; undefined before migration 7. */
export function storedTextNormalizationVersion(db: Db): number | undefined {
  const table = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'store_settings'").get();
  if (!table) return undefined;
  const row = db.prepare('SELECT value FROM store_settings WHERE name = ?').get(TEXT_NORMALIZATION_SETTING) as { value: string } | undefined;
  return row === undefined ? undefined : Number(row.value);
}

/**
 * Recomputes the stored search text (and rebuilds the full-text index) when another text normalisation version
 * computed it, so that BM25 matches query words tokenised by this version. Returns whether it did.
 */
export function followTextNormalization(db: Db, version = TEXT_NORMALIZATION_VERSION): boolean {
  const stored = storedTextNormalizationVersion(db);
  if (stored === undefined || stored === version) return false;
  // Under the write lock, re-read as migrate() does: of several processes opening the database, one recomputes.
  return db
    .transaction(() => {
      if (storedTextNormalizationVersion(db) === version) return false;
      computePassageSearchText(db);
      computeTitleSearchText(db);
      rebuildFullTextIndex(db);
      db.prepare('UPDATE store_settings SET value = ? WHERE name = ?').run(String(version), TEXT_NORMALIZATION_SETTING);
      return true;
    })
    .immediate();
}

export function schemaVersion(db: Db): number {
  const exists = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'").get();
  if (!exists) return 0;
  const row = db.prepare('SELECT MAX(version) AS v FROM schema_migrations').get() as { v: number | null };
  return row.v ?? 0;
}

/** Applies every migration newer than the database, each in its own transaction. Returns the versions applied. */
export function migrate(db: Db, migrations: Migration[] = readMigrations(), upTo = Infinity): number[] {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
  )`);
  const current = schemaVersion(db);
  const latestKnown = migrations.at(-1)?.version ?? 0;
  if (current > latestKnown) {
    throw new Error(`database schema version ${current} is newer than this tafuta (knows up to ${latestKnown}); upgrade tafuta`);
  }
  const applied: number[] = [];
  for (const migration of migrations) {
    if (migration.version <= current || migration.version > upTo) continue;
    // IMMEDIATE takes the write lock before the version is re-read: another process opening the same new
    // database at the same moment (server workers, the CLI) waits, then finds the migration done.
    const ran = db
      .transaction(() => {
        if (schemaVersion(db) >= migration.version) return false;
        db.exec(migration.sql);
        BACKFILLS[migration.version]?.(db);
        db.prepare('INSERT INTO schema_migrations (version, name) VALUES (?, ?)').run(migration.version, migration.name);
        return true;
      })
      .immediate();
    if (ran) applied.push(migration.version);
  }
  return applied;
}

export interface OpenDatabaseOptions {
  readonly?: boolean;
  /** Stop at this schema version (tests of upgrades). */
  migrateUpTo?: number;
}

const BUSY_TIMEOUT_MS = 5000;
const BUSY_RETRY_MS = 10;

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * Switches a new database to WAL. The switch upgrades the read lock the statement already holds, and SQLite
 * answers SQLITE_BUSY at once, without calling the busy handler, when another connection holds a write lock
 * meanwhile (it could be a deadlock): two processes creating the same database (server workers, the CLI) collide
 * there. Retrying is safe: the other connection finishes its transaction or switch without needing ours.
 */
function enableWal(db: Db): void {
  const deadline = Date.now() + BUSY_TIMEOUT_MS;
  for (;;) {
    try {
      db.pragma('journal_mode = WAL');
      return;
    } catch (error) {
      if ((error as { code?: string }).code !== 'SQLITE_BUSY' || Date.now() >= deadline) throw error;
      sleepSync(BUSY_RETRY_MS);
    }
  }
}

/**
 * Runs `read` with memory-mapped I/O off: for a pass over a whole table (the bulk graph build reads every
 * passage row), whose mapped pages would otherwise stay in the process's resident set — up to MMAP_BYTES of it,
 * ~1 GiB at 1M passages (docs/benchmarks.md §2.3) — where the page cache (CACHE_KIB) bounds it. SQLite unmaps at
 * once when the limit drops, and maps again lazily after.
 */
export function withoutMemoryMap<T>(db: Db, read: () => T): T {
  db.pragma('mmap_size = 0');
  try {
    return read();
  } finally {
    db.pragma(`mmap_size = ${MMAP_BYTES}`);
  }
}

export function openDatabase(file: string, options: OpenDatabaseOptions = {}): Db {
  if (file !== ':memory:') fs.mkdirSync(path.dirname(file), { recursive: true });
  const db = new Database(file, { readonly: options.readonly ?? false, timeout: BUSY_TIMEOUT_MS });
  enableWal(db);
  db.pragma('synchronous = FULL'); // an acknowledged write survives power loss, not only a crash
  db.pragma('foreign_keys = ON');
  // Search reads ~10 random passage rows per query: memory-mapped pages and a larger page cache (an upper
  // bound, filled lazily) keep those reads off the read() syscall path. Measured in docs/benchmarks.md.
  db.pragma(`mmap_size = ${MMAP_BYTES}`);
  db.pragma(`cache_size = -${CACHE_KIB}`);
  if (!options.readonly) {
    migrate(db, readMigrations(), options.migrateUpTo ?? Infinity);
    followTextNormalization(db);
  }
  return db;
}

/** SQLite's answer when a page or the file header is not what a database holds (SQLITE_CORRUPT_*, SQLITE_NOTADB). */
export function isCorruptionError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB');
}

export type QuickCheckResult = { status: 'absent' | 'ok' | 'skipped'; bytes: number } | { status: 'corrupt'; bytes: number; problems: string[] };

/** Problems quick_check lists at most: enough to say what is wrong, not a page per damaged row. */
const QUICK_CHECK_PROBLEMS = 10;

function sizeOf(file: string): number {
  return fs.statSync(file, { throwIfNoEntry: false })?.size ?? 0;
}

/**
 * PRAGMA quick_check on a database file and its WAL: every b-tree page is read once (time grows with the size,
 * so a database over `maxBytes` is skipped). SQLite may also throw SQLITE_CORRUPT while checking: that is a result.
 */
export function quickCheck(file: string, maxBytes: number): QuickCheckResult {
  if (!fs.existsSync(file)) return { status: 'absent', bytes: 0 };
  const bytes = sizeOf(file) + sizeOf(`${file}-wal`);
  if (bytes > maxBytes) return { status: 'skipped', bytes };
  let db: Db | undefined;
  try {
    db = new Database(file, { fileMustExist: true, timeout: BUSY_TIMEOUT_MS });
    const rows = db.pragma(`quick_check(${QUICK_CHECK_PROBLEMS})`, { simple: false }) as Array<{ quick_check: string }>;
    const problems = rows.map((row) => row.quick_check).filter((message) => message !== 'ok');
    return problems.length === 0 ? { status: 'ok', bytes } : { status: 'corrupt', bytes, problems };
  } catch (error) {
    if (!isCorruptionError(error)) throw error;
    return { status: 'corrupt', bytes, problems: [(error as Error).message] };
  } finally {
    db?.close();
  }
}
