/** `tafuta adapt --encoder` as a child process: it ends by itself, bad input exits 2 with a message, the model serves. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';
import { createRng } from '../../../core/rng.js';
import { CLI } from '../../helpers/cli-server.js';
import { tempDir } from '../../helpers/engine.js';

const root = tempDir('tafuta-adapt-cli-');
after(() => fs.rmSync(root, { recursive: true, force: true }));

function tafuta(...args: string[]) {
  // The timeout fails a CLI that would not exit by itself.
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 120_000, env: { ...process.env, TAFUTA_LOG_LEVEL: 'warn', TAFUTA_MODELS_DIR: '' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const WORDS = 'water house child mother school book road tree'.split(' ');
function writePairs(file: string, n: number): string {
  const rng = createRng(5);
  const lines = Array.from({ length: n }, () => {
    const words = Array.from({ length: 2 + rng.int(2) }, () => WORDS[rng.int(WORDS.length)]!);
    return JSON.stringify({ en: words.join(' '), text: words.map((w) => `${w.split('').reverse().join('')}qa`).join(' ') });
  });
  fs.writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

const pairs = writePairs(path.join(root, 'yo.jsonl'), 120);
const config = path.join(root, 'adapters.json');
fs.writeFileSync(config, JSON.stringify({ rank: 4, tau: 0.1, lr: 0.02, batchSize: 32, maxEpochs: 3, patience: 2, validationPerLang: 10, minPairs: 20, seed: 1 }));

test('bad input exits 2 with a clear message', () => {
  const out = path.join(root, 'never');
  const cases: Array<[string[], RegExp]> = [
    [['--encoder', 'no-such-encoder', '--lang', 'yo', '--pairs', pairs], /no such encoder.*hashed-ngram-v1/],
    [['--encoder', 'hashed-ngram-v1', '--lang', 'yo', '--pairs', path.join(root, 'missing.jsonl')], /missing\.jsonl: no such file/],
    [['--encoder', 'hashed-ngram-v1', '--lang', 'yo', '--pairs', writePairs(path.join(root, 'few.jsonl'), 3)], /3 pairs .*at least 20/],
    [['--encoder', 'hashed-ngram-v1', '--lang', 'zz!', '--pairs', pairs], /not an ISO 639/],
    [['--encoder', 'hashed-ngram-v1', '--model', root, '--lang', 'yo', '--pairs', pairs], /not both/],
    [['--encoder', 'hashed-ngram-v1', '--lang', 'yo', '--pairs', pairs, '--config', path.join(root, 'nope.json')], /adapter config/],
  ];
  for (const [args, message] of cases) {
    const r = tafuta('adapt', ...args, '--out', out, '--cache', path.join(root, 'cache'), ...(args.includes('--config') ? [] : ['--config', config]));
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message);
  }
  const noOut = tafuta('adapt', '--encoder', 'hashed-ngram-v1', '--lang', 'yo', '--pairs', pairs, '--config', config);
  assert.equal(noOut.code, 2);
  assert.match(noOut.stderr, /give --out DIR \(or --models-dir DIR/);
  assert.equal(fs.existsSync(out), false);
});

test('adapt writes a model that a later process serves from --models-dir', () => {
  const modelsDir = path.join(root, 'models');
  fs.mkdirSync(modelsDir);
  const r = tafuta('--models-dir', modelsDir, 'adapt', '--encoder', 'hashed-ngram-v1', '--lang', 'yo', '--pairs', pairs, '--config', config, '--cache', path.join(root, 'cache'));
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /yo: validation MRR@10 [\d.]+ → [\d.]+/);
  assert.ok(fs.existsSync(path.join(modelsDir, 'hashed-ngram-v1+yo', 'adapted-encoder.json')));

  const data = path.join(root, 'data');
  const docs = path.join(root, 'docs.jsonl');
  fs.writeFileSync(docs, [{ id: 'a', lang: 'en', text: 'water house' }, { id: 'b', lang: 'en', text: 'school book road' }].map((d) => JSON.stringify(d)).join('\n'));
  const index = tafuta('--models-dir', modelsDir, 'index', '-c', 'c', '-i', docs, '-d', data, '--encoder', 'hashed-ngram-v1+yo');
  assert.equal(index.code, 0, index.stderr);
  const search = tafuta('--models-dir', modelsDir, 'search', '-c', 'c', '-d', data, '--mode', 'dense', '--lang', 'yo', '--json', 'loohcsqa koobqa');
  assert.equal(search.code, 0, search.stderr);
  assert.equal((JSON.parse(search.stdout) as { results: Array<{ id: string }> }).results[0]?.id, 'b');
});
