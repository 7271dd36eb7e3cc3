import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { SAMPLE_DOCUMENTS, tempDir } from '../helpers/engine.js';

const CLI = fileURLToPath(new URL('../../bin/tafuta.js', import.meta.url));

function tafuta(...args: string[]) {
  return tafutaWithEnv({}, ...args);
}

function tafutaWithEnv(env: Record<string, string>, ...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env: { ...process.env, TAFUTA_LOG_LEVEL: 'warn', TAFUTA_DEFAULT_ENCODER: 'hashed-ngram-v1', ...env } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('tafuta index then search on a fixture; a re-run is idempotent', () => {
  const dir = tempDir();
  const input = path.join(dir, 'docs.jsonl');
  fs.writeFileSync(input, SAMPLE_DOCUMENTS.map((d) => JSON.stringify(d)).join('\n'));
  const data = path.join(dir, 'data');

  const first = tafuta('index', '-c', 'fx', '-i', input, '-d', data, '--batch', '2');
  assert.equal(first.code, 0, first.stderr);
  assert.match(first.stdout, /indexed 6 documents into "fx": 6 written, 0 unchanged, 6 passages/);

  const second = tafuta('index', '-c', 'fx', '-i', input, '-d', data);
  assert.equal(second.code, 0, second.stderr);
  assert.match(second.stdout, /0 written, 6 unchanged, 0 passages/);

  const found = tafuta('search', '-c', 'fx', '-d', data, '--json', '-k', '3', 'Wakulima wanapanda mahindi wakati wa mvua');
  assert.equal(found.code, 0, found.stderr);
  const response = JSON.parse(found.stdout) as { results: Array<{ id: string }>; query_lang: string };
  assert.equal(response.results.length, 3);
  assert.equal(response.results[0]!.id, 'sw-2');

  const text = tafuta('search', '-c', 'fx', '-d', data, '--mode', 'bm25', 'maize');
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /1\. .*en-2#0/);

  const tsv = path.join(dir, 'docs.tsv');
  fs.writeFileSync(tsv, 'id\ttext\nt1\tMvua imenyesha leo\n');
  assert.equal(tafuta('index', '-c', 'fx', '-i', tsv, '-f', 'tsv', '-d', data).code, 0);
});

test('bad input gets a clear message and exit code 2, and stored data is untouched', () => {
  const dir = tempDir();
  const data = path.join(dir, 'data');
  const good = path.join(dir, 'good.jsonl');
  fs.writeFileSync(good, JSON.stringify(SAMPLE_DOCUMENTS[0]));
  assert.equal(tafuta('index', '-c', 'fx', '-i', good, '-d', data).code, 0);

  const bad = path.join(dir, 'bad.jsonl');
  fs.writeFileSync(bad, '{"id":"ok","text":"fine"}\n{"id":"broken"\n');
  const r = tafuta('index', '-c', 'fx', '-i', bad, '-d', data, '--batch', '10');
  assert.equal(r.code, 2);
  assert.match(r.stderr, /bad\.jsonl:2: not valid JSON/);

  const missing = tafuta('index', '-c', 'fx', '-i', path.join(dir, 'nope.jsonl'), '-d', data);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /input file not found/);

  const badName = tafuta('index', '-c', '../escape', '-i', good, '-d', data);
  assert.equal(badName.code, 2);
  assert.match(badName.stderr, /collection names/);

  assert.equal(tafuta('search', '-c', 'nope', '-d', data, 'x').code, 2);
  assert.equal(tafuta('search', '-c', 'fx', '-d', data, '-k', '0', 'x').code, 2, 'usage errors exit 2');
  assert.equal(tafuta('frobnicate').code, 2);
  assert.equal(tafuta('--help').code, 0);
  assert.equal(tafuta('search', '-c', 'fx', '-d', data, '   ').code, 2);
  const threads = tafutaWithEnv({ TAFUTA_ENCODER_THREADS: '0' }, 'search', '-c', 'fx', '-d', data, 'maji');
  assert.equal(threads.code, 2);
  assert.match(threads.stderr, /TAFUTA_ENCODER_THREADS must be an integer from 1 to 64 \(got "0"\)/);
  assert.equal(tafutaWithEnv({ TAFUTA_ENCODER_THREADS: '2' }, 'search', '-c', 'fx', '-d', data, 'maji').code, 0);
  for (const bad of ['-1', 'two', '65']) {
    const workers = tafutaWithEnv({ TAFUTA_ENCODER_WORKERS: bad }, 'search', '-c', 'fx', '-d', data, 'maji');
    assert.equal(workers.code, 2, bad);
    assert.match(workers.stderr, new RegExp(`TAFUTA_ENCODER_WORKERS must be an integer from 0 to 64 \\(got "${bad}"\\)`));
  }
  assert.equal(tafutaWithEnv({ TAFUTA_ENCODER_WORKERS: '0' }, 'search', '-c', 'fx', '-d', data, 'maji').code, 0);
  const cache = tafutaWithEnv({ TAFUTA_ENCODER_WORD_CACHE: '-5' }, 'search', '-c', 'fx', '-d', data, 'maji');
  assert.equal(cache.code, 2);
  assert.match(cache.stderr, /TAFUTA_ENCODER_WORD_CACHE must be an integer from 0 to 16777216 \(got "-5"\)/);
  assert.equal(tafutaWithEnv({ TAFUTA_ENCODER_WORD_CACHE: '0' }, 'search', '-c', 'fx', '-d', data, 'maji').code, 0);
  const skipped = tafuta('reindex', '-c', 'fx', '-d', data);
  assert.equal(skipped.code, 0, skipped.stderr);
  assert.match(skipped.stdout, /"fx" is already indexed with the loaded hashed-ngram-v1 .*nothing to do/);
  const reindexed = tafuta('reindex', '-c', 'fx', '-d', data, '--force');
  assert.equal(reindexed.code, 0, reindexed.stderr);
  assert.match(reindexed.stdout, /re-indexed "fx" with .*: 1 documents, 1 passages/);
  assert.doesNotMatch(reindexed.stderr, /"level":(40|50)/, 'a re-index warns about nothing: its new index has no saved file yet, which is routine');
  assert.equal(tafuta('reindex', '-c', 'nope', '-d', data).code, 2);

  const after = JSON.parse(tafuta('search', '-c', 'fx', '-d', data, '--json', 'maji').stdout) as { results: Array<{ id: string }> };
  assert.deepEqual(after.results.map((x) => x.id), ['sw-1'], 'the failed batch wrote nothing');
});

test('verbs that read a data directory refuse a missing one and create nothing', () => {
  const missing = path.join(tempDir(), 'typo');
  for (const args of [['search', '-c', 'fx', 'maji'], ['reindex', '-c', 'fx'], ['collections'], ['snapshot', 'create', '--out', path.join(missing, 'snap')]]) {
    const r = tafuta(...args, '-d', missing);
    assert.equal(r.code, 2, args.join(' '));
    assert.match(r.stderr, /no tafuta (data|database) in/);
    assert.equal(fs.existsSync(missing), false, `${args[0]} created ${missing}`);
  }
});

test('collections, --lang for files without languages, --filter with titles and metadata, --quiet', () => {
  const dir = tempDir();
  const data = path.join(dir, 'data');
  const tsv = path.join(dir, 'docs.tsv');
  fs.writeFileSync(tsv, 'id\ttext\nt1\tMaji safi ni muhimu kwa afya\nt2\tWakulima wanapanda mahindi\n');
  const indexed = tafutaWithEnv({ TAFUTA_LOG_LEVEL: 'info' }, '--quiet', 'index', '-c', 'tsv', '-i', tsv, '-f', 'tsv', '--lang', 'swa', '-d', data);
  assert.equal(indexed.code, 0, indexed.stderr);
  assert.equal(indexed.stderr, '', '--quiet: no info lines');
  const jsonl = path.join(dir, 'docs.jsonl');
  fs.writeFileSync(jsonl, SAMPLE_DOCUMENTS.map((d) => JSON.stringify(d)).join('\n'));
  assert.equal(tafuta('index', '-c', 'fx', '-i', jsonl, '-d', data).code, 0);
  assert.equal(tafuta('index', '-c', 'x', '-i', tsv, '-f', 'tsv', '--lang', 'xx', '-d', data).code, 2, 'an unknown language code is bad input');

  const listed = tafuta('collections', '-d', data);
  assert.equal(listed.code, 0, listed.stderr);
  assert.match(listed.stdout, /^fx\s+hashed-ngram-v1\s+6\s+6\s+/m);
  assert.match(listed.stdout, /^tsv\s+hashed-ngram-v1\s+2\s+2\s+sw:2$/m, 'the TSV records got the --lang code');
  const json = JSON.parse(tafuta('collections', '-d', data, '--json').stdout) as { collections: Array<{ name: string }> };
  assert.deepEqual(json.collections.map((c) => c.name).sort(), ['fx', 'tsv']);

  const found = tafuta('search', '-c', 'fx', '-d', data, '--filter', '{"lang": "en"}', 'maize farmers');
  assert.equal(found.code, 0, found.stderr);
  assert.match(found.stdout, /scores: cosine similarity/);
  assert.match(found.stdout, /1\. .*en-2#0 {2}\[en\] {2}Farming\n {5}Farmers plant maize.*\n {5}\{"topic":"farming","year":2022\}/);
  assert.doesNotMatch(found.stdout, /\[sw\]/, 'the filter keeps English only');
  const badFilter = tafuta('search', '-c', 'fx', '-d', data, '--filter', '{"lang":', 'maji');
  assert.equal(badFilter.code, 2);
  assert.match(badFilter.stderr, /--filter is not valid JSON/);
});

test('tafuta export writes JSONL that tafuta index reads back identically (index → export → index → export is byte-identical)', () => {
  const dir = tempDir();
  const data = path.join(dir, 'data');
  const input = path.join(dir, 'docs.jsonl');
  const documents = [
    ...SAMPLE_DOCUMENTS,
    { id: 'plain', text: 'Hakuna lugha, kichwa wala metadata.' },
    { id: 'nested "id" \u202E', lang: 'sw', text: 'Maandishi\nya mistari\tmiwili 👩‍👩‍👧', metadata: { list: [1, 'a', null], deep: { x: { y: 1.5 } }, none: null } },
  ];
  fs.writeFileSync(input, documents.map((d) => JSON.stringify(d)).join('\n'));
  assert.equal(tafuta('index', '-c', 'one', '-i', input, '-d', data).code, 0);

  const first = path.join(dir, 'one.jsonl');
  const exported = tafuta('export', '-c', 'one', '-o', first, '-d', data);
  assert.equal(exported.code, 0, exported.stderr);
  assert.match(exported.stderr, /exported 8 documents of "one"/);
  assert.deepEqual(fs.readFileSync(first, 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l) as unknown), documents, 'every field as it was given');

  assert.equal(tafuta('index', '-c', 'two', '-i', first, '-d', data).code, 0);
  const second = tafuta('export', '-c', 'two', '-d', data); // to standard output
  assert.equal(second.code, 0, second.stderr);
  assert.equal(second.stdout, fs.readFileSync(first, 'utf8'));

  const filtered = tafuta('export', '-c', 'one', '-d', data, '--filter', '{"lang":"en","metadata":{"year":{"$gte":2024}}}');
  assert.equal(filtered.code, 0, filtered.stderr);
  assert.deepEqual(filtered.stdout.trimEnd().split('\n').map((l) => (JSON.parse(l) as { id: string }).id), ['en-1']);

  for (const args of [['--filter', '{"metadata":{"year":"2024"}}'], ['--filter', '{lang'], ['-o', path.join(dir, 'missing', 'x.jsonl')]]) {
    const bad = tafuta('export', '-c', 'one', '-d', data, ...args);
    assert.equal(bad.code, 2, `${args.join(' ')}: ${bad.stderr}`);
    assert.match(bad.stderr, /tafuta: /);
  }
  assert.equal(tafuta('export', '-c', 'nowhere', '-d', data).code, 2);
});

test('your own vectors: index --encoder none --dim reads vectors from JSONL, export writes them back, reindex has nothing to do', () => {
  const dir = tempDir();
  const data = path.join(dir, 'data');
  const input = path.join(dir, 'vectors.jsonl');
  const documents = [
    { id: 'a', text: 'Maji safi.', lang: 'sw', vector: [0.6, 0.8, 0] },
    { id: 'b', text: 'Mahindi ya masika.', vector: [0, 0, 2] }, // stored normalised: [0, 0, 1]
  ];
  fs.writeFileSync(input, documents.map((d) => JSON.stringify(d)).join('\n'));
  const indexed = tafuta('index', '-c', 'own', '-i', input, '-d', data, '--encoder', 'none', '--dim', '3');
  assert.equal(indexed.code, 0, indexed.stderr);
  assert.match(indexed.stdout, /indexed 2 documents into "own": 2 written, 0 unchanged, 2 passages/);

  const first = path.join(dir, 'own.jsonl');
  assert.equal(tafuta('export', '-c', 'own', '-o', first, '-d', data).code, 0);
  const exported = fs.readFileSync(first, 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l) as { id: string; vector: number[] });
  assert.deepEqual(exported.map((d) => [d.id, d.vector.map((x) => Math.round(x * 1e6) / 1e6)]), [['a', [0.6, 0.8, 0]], ['b', [0, 0, 1]]]);
  const again = tafuta('index', '-c', 'own', '-i', first, '-d', data);
  assert.match(again.stdout, /0 written, 2 unchanged/, 'the exported vectors are the stored ones');
  assert.equal(tafuta('index', '-c', 'copy', '-i', first, '-d', data, '--encoder', 'none', '--dim', '3').code, 0);
  assert.equal(tafuta('export', '-c', 'copy', '-d', data).stdout, fs.readFileSync(first, 'utf8'));

  const bm25 = tafuta('search', '-c', 'own', '-d', data, '--json', '--mode', 'bm25', 'mahindi');
  assert.deepEqual((JSON.parse(bm25.stdout) as { results: Array<{ id: string }> }).results.map((r) => r.id), ['b']);
  const dense = tafuta('search', '-c', 'own', '-d', data, 'mahindi');
  assert.equal(dense.code, 2);
  assert.match(dense.stderr, /need a vector of 3 numbers/);

  const reindex = tafuta('reindex', '-c', 'own', '-d', data, '--force');
  assert.equal(reindex.code, 0, reindex.stderr);
  assert.match(reindex.stdout, /"own" holds your own vectors \(encoder "none"\): there is nothing to re-encode/);

  const wrongDim = path.join(dir, 'wrong.jsonl');
  fs.writeFileSync(wrongDim, JSON.stringify({ id: 'c', text: 'x', vector: [1, 0] }));
  const refused = tafuta('index', '-c', 'own', '-i', wrongDim, '-d', data);
  assert.equal(refused.code, 2);
  assert.match(refused.stderr, /document "c": vector has 2 numbers/);
  const noDim = tafuta('index', '-c', 'other', '-i', input, '-d', data, '--encoder', 'none');
  assert.equal(noDim.code, 2);
  assert.match(noDim.stderr, /needs dim/);
  const badVector = path.join(dir, 'bad.jsonl');
  fs.writeFileSync(badVector, '{"id":"d","text":"x","vector":[1e309,0,0]}');
  const infinite = tafuta('index', '-c', 'own', '-i', badVector, '-d', data);
  assert.equal(infinite.code, 2);
  assert.match(infinite.stderr, /bad\.jsonl:1: vector\.0: vector entries must be finite numbers/);
});

test('search --highlight marks matched terms, --group-by document gives one result per document, --offset pages', () => {
  const dir = tempDir();
  const data = path.join(dir, 'data');
  const input = path.join(dir, 'docs.jsonl');
  const long = { id: 'long', lang: 'sw', text: Array.from({ length: 30 }, (_, i) => `Sentensi ${i} kuhusu maji safi na afya ya jamii.`).join(' ') };
  fs.writeFileSync(input, [...SAMPLE_DOCUMENTS, long].map((d) => JSON.stringify(d)).join('\n'));
  assert.equal(tafuta('index', '-c', 'fx', '-i', input, '-d', data).code, 0);

  const highlighted = tafuta('search', '-c', 'fx', '-d', data, '--mode', 'bm25', '--highlight', '-k', '1', 'maize');
  assert.equal(highlighted.code, 0, highlighted.stderr);
  assert.match(highlighted.stdout, /Farmers plant «maize» during/);

  const grouped = tafuta('search', '-c', 'fx', '-d', data, '--mode', 'bm25', '--group-by', 'document', '--json', '-k', '5', 'maji safi');
  const ids = (JSON.parse(grouped.stdout) as { results: Array<{ id: string; matched_passages: number }> }).results;
  assert.equal(new Set(ids.map((r) => r.id)).size, ids.length, 'one result per document');
  assert.ok(ids.find((r) => r.id === 'long')!.matched_passages > 1, 'the long document matched with several passages');

  const all = JSON.parse(tafuta('search', '-c', 'fx', '-d', data, '--mode', 'bm25', '--json', '-k', '4', 'maji').stdout) as { results: Array<{ passage_id: string }> };
  const second = JSON.parse(tafuta('search', '-c', 'fx', '-d', data, '--mode', 'bm25', '--json', '-k', '2', '--offset', '2', 'maji').stdout) as { results: Array<{ passage_id: string }> };
  assert.deepEqual(second.results.map((r) => r.passage_id), all.results.slice(2).map((r) => r.passage_id));
  assert.equal(tafuta('search', '-c', 'fx', '-d', data, '--group-by', 'sentence', 'maji').code, 2);
});

test('a bad TAFUTA_PORT, or a train/adapt --epochs or --threads that is not a positive integer, is a clear message and exit 2', () => {
  const dir = tempDir();
  for (const bad of ['abc', '65536', '-1', '80.5']) {
    const r = tafutaWithEnv({ TAFUTA_PORT: bad }, 'serve', '-d', path.join(dir, 'data'));
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, new RegExp(`TAFUTA_PORT must be an integer from 0 to 65535 \\(got "${bad}"\\)`));
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  }
  const cases: Array<[string[], string, string]> = [
    [['train', '--config', 'none.json', '--out', path.join(dir, 'model')], '--epochs', '0'],
    [['train', '--config', 'none.json', '--out', path.join(dir, 'model')], '--epochs', 'NaN'],
    [['train', '--config', 'none.json', '--out', path.join(dir, 'model')], '--epochs', '1.5'],
    [['train', '--config', 'none.json', '--out', path.join(dir, 'model')], '--threads', '0'],
    [['train', '--config', 'none.json', '--out', path.join(dir, 'model')], '--threads', 'two'],
    [['train', '--config', 'none.json', '--out', path.join(dir, 'model')], '--threads', '17'],
    [['adapt', '--lang', 'sw', '--pairs', 'none.jsonl', '--out', path.join(dir, 'adapted'), '--model', dir], '--epochs', '0'],
  ];
  for (const [args, option, bad] of cases) {
    const r = tafuta(...args, option, bad);
    assert.equal(r.code, 2, `${option} ${bad}: ${r.stderr}`);
    assert.match(r.stderr, new RegExp(`option '${option} <n>' argument '${bad}' is invalid\\. expected an integer from 1 to \\d+`));
  }
});

test('serve with an unknown TAFUTA_DEFAULT_ENCODER exits 2 naming the variable and the known encoders, with one server or several', () => {
  const data = path.join(tempDir(), 'data');
  for (const workers of ['1', '2']) {
    const r = spawnSync(process.execPath, [CLI, 'serve', '--port', '0', '--workers', workers, '-d', data], {
      encoding: 'utf8',
      timeout: 120_000,
      env: { ...process.env, TAFUTA_LOG_LEVEL: 'fatal', TAFUTA_DEFAULT_ENCODER: 'no-such-encoder', TAFUTA_MODELS_DIR: '' },
    });
    assert.equal(r.status, 2, `--workers ${workers}: ${r.stderr}`);
    assert.match(r.stderr, /TAFUTA_DEFAULT_ENCODER=no-such-encoder: no such encoder; known encoders: hashed-ngram-v1\b.*\[UNKNOWN_ENCODER\]/, `--workers ${workers}`);
  }
});
