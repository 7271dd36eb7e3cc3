import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { queriesPerLang, writeBeir } from '../../corpora/bench/beir.js';

test('writeBeir writes corpus/queries JSONL and a qrels TSV with a header', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'beir-'));
  try {
    const bench = {
      corpus: [{ _id: 'd1', title: '', text: 'dog: animal, pet' }],
      queries: [{ _id: 'sw-1', text: 'mbwa', lang: 'sw' }, { _id: 'yo-1', text: 'ajá', lang: 'yo' }],
      qrels: [{ queryId: 'sw-1', docId: 'd1', score: 2 }, { queryId: 'yo-1', docId: 'd1', score: 1 }],
    };
    await writeBeir(dir, bench);
    const corpus = (await readFile(join(dir, 'corpus.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
    assert.deepEqual(corpus, [{ _id: 'd1', title: '', text: 'dog: animal, pet' }]);
    const queries = (await readFile(join(dir, 'queries.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
    assert.deepEqual(queries[0], { _id: 'sw-1', text: 'mbwa', lang: 'sw' });
    const qrels = (await readFile(join(dir, 'qrels', 'dev.tsv'), 'utf8')).trim().split('\n');
    assert.deepEqual(qrels, ['query-id\tcorpus-id\tscore', 'sw-1\td1\t2', 'yo-1\td1\t1']);
    assert.deepEqual(queriesPerLang(bench), { sw: 1, yo: 1 });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
