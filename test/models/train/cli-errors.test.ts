/**
 * `tafuta train`, `tafuta translate train` and `tafuta adapt --model` as child processes: bad input (a missing, malformed or invalid config,
 * missing training data, a missing model or pairs file) exits 2 with one line naming the problem, never 1 (a bug).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';
import { CLI } from '../../helpers/cli-server.js';
import { tempDir } from '../../helpers/engine.js';

const root = tempDir('tafuta-train-cli-');
after(() => fs.rmSync(root, { recursive: true, force: true }));

function tafuta(...args: string[]) {
  // The timeout fails a CLI that would not exit by itself.
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 120_000, env: { ...process.env, TAFUTA_LOG_LEVEL: 'warn', TAFUTA_MODELS_DIR: '' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function assertBadInput(r: ReturnType<typeof tafuta>, message: RegExp, what: string) {
  assert.equal(r.code, 2, `${what}: ${r.stderr}`);
  assert.match(r.stderr, message, what);
  assert.equal(r.stderr.trim().split('\n').length, 1, `${what}: one line, no stack: ${r.stderr}`);
}

function write(name: string, text: string): string {
  const file = path.join(root, name);
  fs.writeFileSync(file, text);
  return file;
}

const VALID_CONFIG = {
  name: 'tiny',
  seed: 1,
  data: { trainDir: path.join(root, 'empty-train'), monoDir: path.join(root, 'mono'), morphDir: path.join(root, 'morph'), validationPerLang: 10 },
  model: { buckets: 1024, dim: 16, adapterMinPairs: 100, adapterRank: 2 },
  train: { epochs: 1, batchSize: 8, auxBatchSize: 4, lr: 0.1, tau: 0.1, evalEvery: 10, threads: 1, hardNegatives: { perBatch: 4, topM: 2 } },
  export: { tableDtype: 'float32' },
};

test('train: a missing, unreadable or invalid config, or no training data, exits 2 with one line', () => {
  fs.mkdirSync(path.join(root, 'empty-train'));
  const out = path.join(root, 'never');
  const cases: Array<[string, RegExp]> = [
    [path.join(root, 'missing.json'), /config file not found: .*missing\.json \[INPUT_FILE\]/],
    [write('broken.json', '{"name": '), /broken\.json is not valid JSON \[INPUT_FILE\]/],
    [write('invalid.json', JSON.stringify({ ...VALID_CONFIG, train: { ...VALID_CONFIG.train, epochs: -1 } })), /invalid config .*invalid\.json: train\.epochs: .* \[INVALID_ARGUMENT\]/],
    [write('no-data.json', JSON.stringify(VALID_CONFIG)), /no training data in .*empty-train.* \[INPUT_FILE\]/],
  ];
  for (const [config, message] of cases) assertBadInput(tafuta('train', '--config', config, '--out', out, '--no-teacher'), message, path.basename(config));
  assert.equal(fs.existsSync(out), false, 'nothing written');
});

test('translate train: no training data, or a language without its file, exits 2 with one line and writes nothing', () => {
  const trainDir = path.join(root, 'translate-train');
  fs.mkdirSync(trainDir);
  const out = path.join(root, 'never-translator');
  const config = (data: object) => write(`translate-${Object.keys(data).length}.json`, JSON.stringify({ name: 't', data: { trainDir, ...data } }));
  assertBadInput(tafuta('translate', 'train', '--config', config({}), '--out', out), /no training data in .*translate-train.* \[INPUT_FILE\]/, 'empty');
  fs.writeFileSync(path.join(trainDir, 'sw.jsonl'), `${JSON.stringify({ en: 'open the file', text: 'fungua faili' })}\n`);
  assertBadInput(tafuta('translate', 'train', '--config', config({ langs: ['sw', 'yo'] }), '--out', out), /no training file for: yo .*\[INPUT_FILE\]/, 'missing language');
  const notAModel = path.join(root, 'not-a-model');
  fs.mkdirSync(notAModel);
  assertBadInput(tafuta('translate', 'train', '--config', config({}), '--out', out, '--model', notAModel), /--model .*not-a-model: not a model directory .*\[INPUT_FILE\]/,
    '--model without a model, before any table is learnt');
  assert.equal(fs.existsSync(out), false, 'nothing written');
});

test('adapt --model: a missing model or pairs file, a malformed pairs line or a bad --lang exits 2 with one line', () => {
  const out = path.join(root, 'adapted');
  const pairs = write('pairs.tsv', 'water\tmaji\nhouse\tnyumba\n');
  const emptyModel = path.join(root, 'no-model');
  fs.mkdirSync(emptyModel);
  assertBadInput(tafuta('adapt', '--model', emptyModel, '--lang', 'sw', '--pairs', pairs, '--out', out), /model\.json: not found \[INPUT_FILE\]/, 'no model.json');
  assertBadInput(tafuta('adapt', '--lang', 'sw', '--pairs', path.join(root, 'missing.tsv'), '--out', out), /pairs file not found: .*missing\.tsv \[INPUT_FILE\]/, 'no pairs file');
  const malformed = write('malformed.tsv', 'water\tmaji\nonly english here\n');
  assertBadInput(tafuta('adapt', '--lang', 'sw', '--pairs', malformed, '--out', out), /malformed\.tsv:2: expected "english<TAB>translation" \[INPUT_FILE\]/, 'a line without a tab');
  assertBadInput(tafuta('adapt', '--lang', 'Swahili', '--pairs', pairs, '--out', out), /--lang "Swahili" is not an ISO 639-1, 639-2 or 639-3 language code/, 'not a language code');
  assertBadInput(tafuta('adapt', '--lang', 'en', '--pairs', pairs, '--out', out), /--lang en: English is the pivot/, 'English');
  assertBadInput(tafuta('adapt', '--lang', 'sw,yo', '--pairs', pairs, '--out', out), /--model adapts one language at a time/, 'two languages');
  assert.equal(fs.existsSync(out), false, 'nothing written');
});
