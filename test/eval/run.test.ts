import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { compareReports } from '../../eval/compare.js';
import { correlatePairs, readPairs } from '../../eval/pairs.js';
import { formatRunFile, readReport, writeEvalOutputs } from '../../eval/report.js';
import { runEval, selectQueries } from '../../eval/run.js';
import { createHashedNgramEncoder } from '../../models/hashed-ngram-encoder.js';
import { writeSyntheticBertDir } from '../../scripts/synthetic-bert.js';
import { tempDir, testEngine } from '../helpers/engine.js';

const CLI = fileURLToPath(new URL('../../bin/tafuta.js', import.meta.url));
const close = (actual: number, expected: number) => assert.ok(Math.abs(actual - expected) < 1e-9, `${actual} ≠ ${expected}`);

const zebra = Array.from({ length: 40 }, (_, i) => `Sentence ${i} tells how the zebra number ${i} crossed the plain.`).join(' ');

/** 5 documents (d4 long enough to split into several passages), 4 queries (one without a relevant document). */
function writeFixture(dir: string): string {
  const bench = path.join(dir, 'tiny');
  fs.mkdirSync(path.join(bench, 'qrels'), { recursive: true });
  const docs = [
    { _id: 'd1', title: '', text: 'Clean water for children.' },
    { _id: 'd2', title: '', text: 'Farmers plant maize in the rainy season.' },
    { _id: 'd3', title: '', text: 'The library opens on Monday.' },
    { _id: 'd4', title: '', text: zebra },
    { _id: 'd5', title: '', text: 'Mountains and rivers.' },
  ];
  const queries = [
    { _id: 'q1', text: 'maize', lang: 'sw' },
    { _id: 'q2', text: 'zebra', lang: 'sw' },
    { _id: 'q3', text: 'library', lang: 'yo' },
    { _id: 'q4', text: 'qwxz', lang: 'yo' },
  ];
  const qrels = ['query-id\tcorpus-id\tscore', 'q1\td2\t1', 'q2\td4\t1', 'q2\td5\t2', 'q3\td3\t0', 'q4\td1\t1'];
  fs.writeFileSync(path.join(bench, 'corpus.jsonl'), docs.map((d) => JSON.stringify(d)).join('\n'));
  fs.writeFileSync(path.join(bench, 'queries.jsonl'), queries.map((q) => JSON.stringify(q)).join('\n'));
  fs.writeFileSync(path.join(bench, 'qrels', 'dev.tsv'), `${qrels.join('\n')}\n`);
  return bench;
}

test('runEval on a tiny BEIR fixture (bm25): exact metrics, per-language and macro averages, run file', async () => {
  const dir = tempDir();
  const benchDir = writeFixture(dir);
  const engine = testEngine(undefined);
  try {
    const { report, run } = await runEval({ engine, benchDir, mode: 'bm25', k: 10 });
    assert.equal(report.corpus.documents, 5);
    assert.ok(report.corpus.passages > 5, 'd4 is split into several passages');
    assert.deepEqual(await engine.listCollections(), [], 'the throw-away collection is deleted');

    // q1 → [d2]; q2 → [d4] (its passages collapse to one document; d5 (grade 2) is never retrieved); q4 → [].
    assert.deepEqual([...run.keys()], ['q1', 'q2', 'q4']);
    assert.deepEqual(run.get('q1')!.map((d) => d.docid), ['d2']);
    assert.deepEqual(run.get('q2')!.map((d) => d.docid), ['d4']);
    assert.deepEqual(run.get('q4'), []);

    const q2 = report.perQuery.find((q) => q.id === 'q2')!.metrics;
    close(q2['MRR@10'], 1);
    close(q2.MAP, 1 / 2);
    close(q2['R@1'], 1 / 2);
    close(q2['P@5'], 1 / 5);
    close(q2['nDCG@10'], 1 / (2 + 1 / Math.log2(3))); // DCG 1/1; ideal [2, 1]

    assert.deepEqual(report.languages.sw!.queries, 2);
    assert.deepEqual(report.languages.yo, {
      queries: 1,
      skipped: 1,
      available: 1,
      metrics: { 'MRR@10': 0, 'nDCG@10': 0, MAP: 0, 'R@1': 0, 'R@10': 0, 'R@100': 0, 'P@5': 0 },
    });
    close(report.languages.sw!.metrics.MAP, (1 + 1 / 2) / 2);
    close(report.average.macro['MRR@10'], (1 + 0) / 2);
    close(report.average.micro['MRR@10'], 2 / 3);
    assert.equal(report.average.queries, 3);
    assert.equal(report.average.skipped, 1);
    assert.equal(report.config.bench, 'tiny');
    assert.equal(report.config.encoder.name, 'hashed-ngram-v1');

    const runText = formatRunFile(run, 'tag x');
    assert.match(runText, /^q1 Q0 d2 1 -?\d+\.\d{6} tag_x\nq2 Q0 d4 1 -?\d+\.\d{6} tag_x\n$/);

    const written = writeEvalOutputs({ report, run }, path.join(dir, 'out', 'tiny-bm25'));
    assert.deepEqual(written.map((f) => path.extname(f)), ['.json', '.run', '.md']);
    const reread = readReport(written[0]!);
    assert.deepEqual(reread.languages, report.languages);
    assert.match(fs.readFileSync(written[2]!, 'utf8'), /\| \*\*avg\*\* \(2 langs\) \| 3 \| \*\*0\.500\*\*/);

    const [same] = compareReports(reread, reread, { metrics: ['MRR@10'], resamples: 200 });
    assert.deepEqual(same!.rows.map((r) => [r.lang, r.n, r.delta, r.pRandomization]), [['sw', 2, 0, 1], ['yo', 1, 0, 1], ['avg', 3, 0, 1]]);
  } finally {
    engine.close();
  }
});

test('runEval dense: rankings are documents without duplicates, at most k; language filter and bad input', async () => {
  const dir = tempDir();
  const benchDir = writeFixture(dir);
  const engine = testEngine(undefined);
  try {
    const { report, run } = await runEval({ engine, benchDir, mode: 'dense', k: 3, langs: ['sw'] });
    assert.deepEqual(Object.keys(report.languages), ['sw']);
    for (const docs of run.values()) {
      assert.ok(docs.length <= 3);
      assert.equal(new Set(docs.map((d) => d.docid)).size, docs.length);
    }
    await assert.rejects(runEval({ engine, benchDir, encoder: 'nope' }), { code: 'UNKNOWN_ENCODER' });
    await assert.rejects(runEval({ engine, benchDir, langs: ['xx'] }), { code: 'INVALID_ARGUMENT', message: /no queries in language\(s\) xx/ });
    await assert.rejects(runEval({ engine, benchDir: path.join(dir, 'missing') }), { code: 'INPUT_FILE', message: /benchmark directory not found/ });
    fs.writeFileSync(path.join(benchDir, 'qrels', 'bad.tsv'), 'query-id\tcorpus-id\tscore\nq1\td2\n');
    await assert.rejects(runEval({ engine, benchDir, split: 'bad' }), { code: 'INPUT_FILE', message: /bad\.tsv:2: expected/ });
    assert.deepEqual(await engine.listCollections(), []);
  } finally {
    engine.close();
  }
});

test('selectQueries samples per language with a fixed seed, keeping file order', () => {
  const queries = Array.from({ length: 40 }, (_, i) => ({ id: `q${i}`, text: 't', lang: i % 2 ? 'a' : 'b' }));
  const qrels = new Map(queries.map((q) => [q.id, new Map([['d', 1]])]));
  const one = selectQueries(queries, qrels, { maxPerLang: 5, seed: 42 });
  assert.equal(one.queries.length, 10);
  assert.deepEqual(one.queries, selectQueries(queries, qrels, { maxPerLang: 5, seed: 42 }).queries);
  assert.notDeepEqual(one.queries, selectQueries(queries, qrels, { maxPerLang: 5, seed: 43 }).queries);
  const order = one.queries.map((q) => Number(q.id.slice(1)));
  assert.deepEqual(order, [...order].sort((x, y) => x - y));
});

test('tafuta eval CLI: bad input exits 2 with a clear message', () => {
  const r = spawnSync(process.execPath, [CLI, 'eval', '--bench', path.join(tempDir(), 'nope')], {
    encoding: 'utf8',
    env: { ...process.env, TAFUTA_LOG_LEVEL: 'warn', TAFUTA_DEFAULT_ENCODER: 'hashed-ngram-v1' },
  });
  assert.equal(r.status, 2);
  assert.match(r.stderr, /benchmark directory not found/);
});

test('tafuta eval --model DIR: a Hugging Face model directory is loaded and evaluated by default', () => {
  const dir = tempDir();
  const benchDir = writeFixture(dir);
  const words = ['clean', 'water', 'children', 'farmers', 'plant', 'maize', 'zebra', 'library', 'mountains', 'rivers'];
  const modelDir = path.join(dir, 'tiny-bert');
  writeSyntheticBertDir(modelDir, { shape: { hidden: 8, layers: 1, heads: 2, intermediate: 16, maxPositions: 32 }, words, seed: 5 });
  const out = path.join(dir, 'report');
  const r = spawnSync(process.execPath, [CLI, 'eval', '--bench', benchDir, '--model', modelDir, '--mode', 'dense', '-k', '3', '--out', out], {
    encoding: 'utf8',
    env: { ...process.env, TAFUTA_LOG_LEVEL: 'warn', TAFUTA_DEFAULT_ENCODER: 'hashed-ngram-v1' },
  });
  assert.equal(r.status, 0, r.stderr);
  const report = readReport(`${out}.json`);
  assert.equal(report.config.encoder.name, 'tiny-bert');
  assert.match(report.config.command ?? '', /--model .*tiny-bert --encoder tiny-bert --mode dense/);
  assert.equal(report.corpus.documents, 5);

  const notAModel = spawnSync(process.execPath, [CLI, 'eval', '--bench', benchDir, '--model', dir], { encoding: 'utf8', env: { ...process.env, TAFUTA_LOG_LEVEL: 'warn' } });
  assert.equal(notAModel.status, 2);
  assert.match(notAModel.stderr, /not a model directory/);
});

test('readReport rejects files that are not reports', () => {
  const file = path.join(tempDir(), 'r.json');
  fs.writeFileSync(file, '{"not": "a report"}');
  assert.throws(() => readReport(file), { code: 'INPUT_FILE', message: /not a tafuta eval report/ });
  assert.throws(() => readReport(`${file}.missing`), { code: 'INPUT_FILE', message: /report not found/ });
});

test('graded pairs: header skipped, Spearman of cosine vs gold', async () => {
  const file = path.join(tempDir(), 'pairs.tsv');
  fs.writeFileSync(file, 'text1\ttext2\tscore\nclean water\tclean water\t5\nclean water\tclean waters\t4\nclean water\tmaize farming\t0\n');
  const pairs = readPairs(file);
  assert.equal(pairs.length, 3);
  const result = await correlatePairs(createHashedNgramEncoder({ dim: 64 }), pairs);
  assert.deepEqual(result, { encoder: 'hashed-ngram-v1', pairs: 3, spearman: 1 });
  fs.writeFileSync(file, 'a\tb\t1\na\tb\n');
  assert.throws(() => readPairs(file), { code: 'INPUT_FILE', message: /pairs\.tsv:2: expected/ });
});
