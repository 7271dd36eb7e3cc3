/** The PostgreSQL store records the text normalisation version of its search text and recomputes it when another wrote it. */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import pg from 'pg';
import { searchTextOf } from '../../../indexer/search-text.js';
import { TEXT_NORMALIZATION_VERSION } from '../../../text/normalize.js';
import { sharedPgliteServer } from '../../helpers/postgres.js';
import { postgresStore } from '../../helpers/stores.js';

after(() => postgresStore.stop());

async function query<R extends pg.QueryResultRow>(url: string, sql: string): Promise<R[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<R>(sql)).rows;
  } finally {
    await client.end();
  }
}

test('a PostgreSQL store written by another text normalisation version gets its search text recomputed on open', async () => {
  const { url } = await sharedPgliteServer();
  const engine = await postgresStore.freshEngine();
  await engine.createCollection('c');
  await engine.upsertDocuments('c', [
    { id: 'a', title: 'Maji Safi', text: 'Maji safi ni muhimu kwa afya.' },
    // Stored escaped (PostgreSQL refuses NUL): recomputed from the text as written, as at upsert.
    { id: 'b', title: 'Kilimo\u0000bora', text: 'Mvua\u0000ya masika inasaidia kilimo.' },
  ]);
  await engine.close();
  assert.deepEqual(await query(url, "SELECT value FROM store_settings WHERE name = 'text_normalization_version'"), [{ value: String(TEXT_NORMALIZATION_VERSION) }]);

  // As if an older normaliser had written the rows.
  await query(url, "UPDATE passages SET search_text = 'stale', title_search_text = 'stale'");
  await query(url, "UPDATE store_settings SET value = '0' WHERE name = 'text_normalization_version'");
  const reopened = await postgresStore.sameStoreEngine();
  try {
    assert.deepEqual(await query(url, 'SELECT search_text, title_search_text FROM passages ORDER BY id'), [
      { search_text: searchTextOf('Maji safi ni muhimu kwa afya.'), title_search_text: searchTextOf('Maji Safi') },
      { search_text: searchTextOf('Mvua\u0000ya masika inasaidia kilimo.'), title_search_text: searchTextOf('Kilimo\u0000bora') },
    ]);
    assert.deepEqual(await query(url, "SELECT value FROM store_settings WHERE name = 'text_normalization_version'"), [{ value: String(TEXT_NORMALIZATION_VERSION) }]);
    const hits = await reopened.search('c', { query: 'muhimu', k: 5, mode: 'bm25' });
    assert.deepEqual(hits.results.map((r) => r.id), ['a'], 'the text index follows the recomputed rows');
  } finally {
    await reopened.close();
  }
});
