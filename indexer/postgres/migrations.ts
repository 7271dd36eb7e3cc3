/**
 * The Postgres schema: `migrations/postgres/NNN_description.sql`, applied in order, each in its own transaction
 * and recorded in `schema_migrations` as SQLite's are. An advisory lock makes servers starting together against a
 * new database wait for one another instead of racing.
 */
import { fileURLToPath } from 'node:url';
import { TEXT_NORMALIZATION_VERSION } from '../../text/normalize.js';
import { readMigrations, type Migration } from '../database.js';
import { searchTextOf } from '../search-text.js';
import type { PgConnection, Queryable } from './connection.js';
import { unescapeNul } from './nul-escape.js';

export const POSTGRES_MIGRATIONS_DIR = fileURLToPath(new URL('../../../migrations/postgres/', import.meta.url));
/** Any fixed number: the key of the advisory lock migrations hold. */
const MIGRATION_LOCK = 7_420_020;

export async function migratePostgres(connection: PgConnection, migrations: Migration[] = readMigrations(POSTGRES_MIGRATIONS_DIR)): Promise<number[]> {
  await connection.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version    INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    applied_at TEXT NOT NULL DEFAULT to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
  )`);
  const latestKnown = migrations.at(-1)?.version ?? 0;
  const applied: number[] = [];
  for (const migration of migrations) {
    const ran = await connection.transaction(async (client) => {
      await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
      const [row] = await client.query<{ v: number | null }>('SELECT MAX(version) AS v FROM schema_migrations');
      const current = row?.v ?? 0;
      if (current > latestKnown) throw new Error(`database schema version ${current} is newer than this tafuta (knows up to ${latestKnown}); upgrade tafuta`);
      if (current >= migration.version) return false;
      await client.query(migration.sql);
      await client.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [migration.version, migration.name]);
      return true;
    });
    if (ran) applied.push(migration.version);
  }
  return applied;
}

const TEXT_NORMALIZATION_SETTING = 'text_normalization_version';
/** Rows recomputed per UPDATE when the text normalisation changed. */
const RECOMPUTE_BATCH = 2000;

export async function storedTextNormalizationVersionPg(db: Queryable): Promise<number | undefined> {
  const [row] = await db.query<{ value: string }>('SELECT value FROM store_settings WHERE name = $1', [TEXT_NORMALIZATION_SETTING]);
  return row === undefined ? undefined : Number(row.value);
}

/**
 * Pages through `select` (rows `id, text` with id > $1, LIMIT $2, in id order) and hands each page's ids and the
 * search text of their texts, as written before the store escaped them (nul-escape.ts), to `update` ($1 ids, $2 search texts).
 */
async function recomputeInBatches(client: Queryable, select: string, update: string): Promise<void> {
  for (let after = 0; ; ) {
    const rows = await client.query<{ id: number; text: string }>(select, [after, RECOMPUTE_BATCH]);
    if (rows.length === 0) return;
    await client.query(update, [rows.map((r) => r.id), rows.map((r) => searchTextOf(unescapeNul(r.text)))]);
    after = rows.at(-1)!.id;
  }
}

/**
 * Recomputes the stored search text when another text normalisation version computed it (as SQLite's
 * followTextNormalization does), in one transaction under the migration lock; the text indexes follow the rows.
 * Returns whether it did.
 */
export async function followTextNormalizationPg(connection: PgConnection, version = TEXT_NORMALIZATION_VERSION): Promise<boolean> {
  if ((await storedTextNormalizationVersionPg(connection)) === version) return false;
  return connection.transaction(async (client) => {
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    const stored = await storedTextNormalizationVersionPg(client);
    if (stored === undefined || stored === version) return false;
    await recomputeInBatches(
      client,
      'SELECT id, text FROM passages WHERE id > $1 ORDER BY id LIMIT $2',
      'UPDATE passages p SET search_text = u.search_text FROM unnest($1::bigint[], $2::text[]) AS u(id, search_text) WHERE p.id = u.id',
    );
    await recomputeInBatches(
      client,
      'SELECT id, title AS text FROM documents WHERE id > $1 AND title IS NOT NULL ORDER BY id LIMIT $2',
      'UPDATE passages p SET title_search_text = u.title_search_text FROM unnest($1::bigint[], $2::text[]) AS u(document_id, title_search_text) WHERE p.document_id = u.document_id',
    );
    await client.query('UPDATE store_settings SET value = $1 WHERE name = $2', [String(version), TEXT_NORMALIZATION_SETTING]);
    return true;
  });
}
