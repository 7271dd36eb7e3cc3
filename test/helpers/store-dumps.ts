/**
 * Everything a store holds, serialised exactly, so that a test can assert that requests which must not write left
 * it unchanged: SQLite byte for byte (BLOBs as hex, rowid order); PostgreSQL every table in primary-key order, each
 * row in PostgreSQL's own text form (vectors and JSONB as text), plus the index definitions (a collection's HNSW
 * index is created and dropped with it).
 */
import Database from 'better-sqlite3';
import pg from 'pg';

/** Every row of every table of a SQLite data directory's database, BLOBs as hex, in rowid order. */
export function dumpSqliteDatabase(file: string): string {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const queries = Object.fromEntries(
      ['collections', 'languages', 'documents', 'passages', 'passage_tombstones', 'passages_fts'].map((t) => [t, `SELECT rowid, * FROM ${t} ORDER BY rowid`]),
    );
    queries.metadata_types = 'SELECT * FROM metadata_types ORDER BY collection_id, key, type'; // WITHOUT ROWID
    const out: Record<string, unknown[]> = {};
    for (const [table, sql] of Object.entries(queries)) {
      out[table] = (db.prepare(sql).raw().all() as unknown[][]).map((row) => row.map((v) => (Buffer.isBuffer(v) ? v.toString('hex') : v)));
    }
    return JSON.stringify(out);
  } finally {
    db.close();
  }
}

const quoteIdent = (name: string) => `"${name.replaceAll('"', '""')}"`;

/**
 * Every table of the public schema (found in the catalogue, so a table a later migration adds is dumped too), rows
 * ordered by primary key and written as `row::text`; a table without a primary key is an error rather than an
 * unstable order. Simple-protocol queries only, on a connection of its own: call it while no request is in flight
 * (pglite-socket interleaves concurrent connections' extended-protocol messages, electric-sql/pglite#1046).
 */
export async function dumpPostgresDatabase(url: string): Promise<string> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const keys = await client.query<{ table_name: string; key: string[] | null }>(`
      SELECT c.relname AS table_name,
             (SELECT array_agg(a.attname::text ORDER BY k.ord)
                FROM pg_index i CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord)
                JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
               WHERE i.indrelid = c.oid AND i.indisprimary) AS key
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname = 'public' AND c.relkind = 'r'
       ORDER BY c.relname`);
    const out: Record<string, string[]> = {};
    for (const { table_name: table, key } of keys.rows) {
      if (!key) throw new Error(`table ${table} has no primary key: its rows have no stable order to compare`);
      const rows = await client.query<{ row: string }>(`SELECT t::text AS row FROM ${quoteIdent(table)} t ORDER BY ${key.map(quoteIdent).join(', ')}`);
      out[table] = rows.rows.map((r) => r.row);
    }
    const indexes = await client.query<{ indexdef: string }>("SELECT indexdef FROM pg_indexes WHERE schemaname = 'public' ORDER BY indexname");
    out['(indexes)'] = indexes.rows.map((r) => r.indexdef);
    return JSON.stringify(out);
  } finally {
    await client.end();
  }
}
