/**
 * The Postgres schema: `migrations/postgres/NNN_description.sql`, applied in order, each in its own transaction
 * and recorded in `schema_migrations` as SQLite's are. An advisory lock makes servers starting together against a
 * new database wait for one another instead of racing.
 */
import { fileURLToPath } from 'node:url';
import { readMigrations, type Migration } from '../database.js';
import type { PgConnection } from './connection.js';

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
