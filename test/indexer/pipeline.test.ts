import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { indexFile } from '../../indexer/pipeline.js';
import { SAMPLE_DOCUMENTS, sqliteStorageOf, sqliteStoreOf, tempDir, testEngine } from '../helpers/engine.js';

test('indexFile calls onImported once, after the last batch is committed and before the deferred graph build', async () => {
  const dir = tempDir();
  const file = path.join(dir, 'corpus.jsonl');
  fs.writeFileSync(file, SAMPLE_DOCUMENTS.map((d) => JSON.stringify(d)).join('\n'));
  const engine = testEngine(path.join(dir, 'data'));
  const collection = (await engine.createCollection('c')).name;
  const record = sqliteStoreOf(engine).requireCollection(collection);
  const graphSize = () => sqliteStorageOf(engine).indexOf(record).vectorStore.size;
  const seen: Array<{ documents: number; graph: number }> = [];
  const summary = await indexFile({
    engine, collection, file, format: 'jsonl', batchSize: 2, deferIndex: true,
    onImported: async () => {
      seen.push({ documents: sqliteStoreOf(engine).counts(record.id).documents, graph: graphSize() });
    },
  });
  assert.deepEqual(seen, [{ documents: SAMPLE_DOCUMENTS.length, graph: 0 }]);
  assert.equal(graphSize(), summary.passages);
  await engine.close();
  fs.rmSync(dir, { recursive: true, force: true });
});
