import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { readCorpus, type CorpusFormat } from '../../indexer/corpus.js';
import { tempDir } from '../helpers/engine.js';

async function read(content: string, format: CorpusFormat) {
  const file = path.join(tempDir(), `input.${format}`);
  fs.writeFileSync(file, content);
  const out = [];
  for await (const r of readCorpus(file, format)) out.push(r.document);
  return out;
}

test('JSONL, BEIR and TSV inputs become the same documents', async () => {
  assert.deepEqual(await read('{"id":"a","text":"Habari","lang":"sw","metadata":{"k":1}}\n\n{"id":"b","text":"Dunia","title":"T"}\n', 'jsonl'), [
    { id: 'a', text: 'Habari', lang: 'sw', metadata: { k: 1 } },
    { id: 'b', text: 'Dunia', title: 'T' },
  ]);
  assert.deepEqual(await read('{"_id":"a","title":"","text":"Habari"}\n{"_id":"b","title":"T","text":"Dunia"}\n', 'beir'), [
    { id: 'a', text: 'Habari' },
    { id: 'b', text: 'Dunia', title: 'T' },
  ]);
  assert.deepEqual(await read('id\ttext\na\tHabari yako\nb\tDunia\twith tab\n', 'tsv'), [
    { id: 'a', text: 'Habari yako' },
    { id: 'b', text: 'Dunia\twith tab' },
  ]);
});

test('malformed records fail with the file and line number', async () => {
  await assert.rejects(read('{"id":"a","text":"ok"}\n{oops\n', 'jsonl'), /input\.jsonl:2: not valid JSON/);
  await assert.rejects(read('{"id":"a"}\n', 'jsonl'), /:1: text/);
  await assert.rejects(read('{"id":"a","text":"   "}\n', 'jsonl'), /blank/);
  await assert.rejects(read('no tab here\n', 'tsv'), /expected "id<TAB>text"/);
  await assert.rejects(read('{"id":"a","text":"x","extra":1}\n', 'jsonl'), /:1: /);
  await assert.rejects(async () => {
    for await (const _ of readCorpus('/nonexistent/file.jsonl', 'jsonl')) void _;
  }, /input file not found/);
});
