import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { fetchHubModel } from '../../models/transformers/fetch.js';
import { readTransformersSettings } from '../../models/transformers/settings.js';
import { writeSyntheticBertDir } from '../../scripts/synthetic-bert.js';
import { CLI } from '../helpers/cli-server.js';
import { tempDir } from '../helpers/engine.js';

const root = tempDir('tafuta-fetch-');
const repo = path.join(root, 'hub', 'owner', 'tiny-e5');
writeSyntheticBertDir(repo, { shape: { hidden: 8, layers: 1, heads: 2, intermediate: 16, maxPositions: 16 }, words: ['maji'], seed: 1 });
writeSyntheticBertDir(repo, { shape: { hidden: 8, layers: 1, heads: 2, intermediate: 16, maxPositions: 16 }, words: ['maji'], seed: 2, onnxFile: 'model_quantized.onnx' });
fs.writeFileSync(path.join(repo, 'modules.json'), JSON.stringify([{ type: 'sentence_transformers.models.Pooling', path: '1_Pooling' }, { type: 'sentence_transformers.models.Pooling', path: '../escape' }]));
fs.mkdirSync(path.join(repo, '1_Pooling'));
fs.writeFileSync(path.join(repo, '1_Pooling', 'config.json'), JSON.stringify({ pooling_mode_cls_token: true }));

/** A hub stand-in: GET /<owner>/<name>/resolve/main/<file> serves hub/<owner>/<name>/<file>; requests are recorded. */
const requested: string[] = [];
const server = http.createServer((req, res) => {
  requested.push(req.url ?? '');
  const m = /^\/([^/]+\/[^/]+)\/resolve\/main\/(.+)$/.exec(req.url ?? '');
  const file = m ? path.join(root, 'hub', m[1]!, m[2]!) : '';
  if (!m || !fs.existsSync(file) || !file.startsWith(path.join(root, 'hub'))) {
    res.writeHead(404).end();
    return;
  }
  res.writeHead(200).end(fs.readFileSync(file));
});
let endpoint = '';
before(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => {
  server.close();
  fs.rmSync(root, { recursive: true, force: true });
  delete process.env.TAFUTA_ALLOW_REMOTE_MODELS;
});

test('fetch-model: refused unless TAFUTA_ALLOW_REMOTE_MODELS=1', async () => {
  delete process.env.TAFUTA_ALLOW_REMOTE_MODELS;
  await assert.rejects(fetchHubModel({ id: 'owner/tiny-e5', modelsDir: root, dtype: 'fp32', endpoint }), /TAFUTA_ALLOW_REMOTE_MODELS=1/);
  assert.deepEqual(requested, []);
});

test('fetch-model: copies the files the encoder reads, once; a missing required file leaves nothing behind', async () => {
  process.env.TAFUTA_ALLOW_REMOTE_MODELS = '1';
  const modelsDir = path.join(root, 'models');
  fs.mkdirSync(modelsDir);
  const dir = await fetchHubModel({ id: 'owner/tiny-e5', modelsDir, dtype: 'q8', endpoint });
  assert.equal(dir, path.join(modelsDir, 'tiny-e5'));
  for (const file of ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'onnx/model_quantized.onnx', 'modules.json', '1_Pooling/config.json']) {
    assert.deepEqual(fs.readFileSync(path.join(dir, file)), fs.readFileSync(path.join(repo, file)), file);
  }
  assert.equal(fs.existsSync(path.join(dir, 'onnx', 'model.onnx')), false, 'only the dtype asked for');
  assert.ok(!requested.some((url) => url.includes('escape')), 'a pooling path out of the directory is not followed');
  const settings = readTransformersSettings(dir);
  assert.deepEqual([settings.dtype, settings.pooling], ['q8', 'cls']);
  await assert.rejects(fetchHubModel({ id: 'owner/tiny-e5', modelsDir, dtype: 'q8', endpoint }), /already exists/);

  await assert.rejects(fetchHubModel({ id: 'owner/tiny-e5', modelsDir, dtype: 'fp16', name: 'half', endpoint }), /onnx\/model_fp16\.onnx answered HTTP 404/);
  assert.deepEqual(fs.readdirSync(modelsDir), ['tiny-e5']);
  await assert.rejects(fetchHubModel({ id: '../etc', modelsDir, dtype: 'fp32', endpoint }), /not a hub repository id/);
});

test('tafuta --models-dir DIR fetch-model: HF_ENDPOINT names the hub; without a models directory, or with a missing one, it exits 2', async () => {
  const modelsDir = path.join(root, 'cli-models');
  fs.mkdirSync(modelsDir);
  const env = { ...process.env, TAFUTA_LOG_LEVEL: 'warn', TAFUTA_ALLOW_REMOTE_MODELS: '1', HF_ENDPOINT: endpoint, TAFUTA_MODELS_DIR: '' };
  const fetched = await run(env, '--models-dir', modelsDir, 'fetch-model', 'owner/tiny-e5', '--dtype', 'q8', '--name', 'e5');
  assert.equal(fetched.code, 0, fetched.stderr);
  assert.match(fetched.stdout, /wrote .*cli-models\/e5; it loads offline/);
  assert.ok(fs.existsSync(path.join(modelsDir, 'e5', 'onnx', 'model_quantized.onnx')));
  const nowhere = await run(env, 'fetch-model', 'owner/tiny-e5');
  assert.equal(nowhere.code, 2);
  assert.match(nowhere.stderr, /--models-dir DIR/);
  const missing = await run(env, '--models-dir', path.join(root, 'no-such-dir'), 'fetch-model', 'owner/tiny-e5');
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /no-such-dir \(TAFUTA_MODELS_DIR or --models-dir\) does not exist/);
});

/** The CLI in a child process, without blocking this process's event loop (it serves the stand-in hub). */
function run(env: NodeJS.ProcessEnv, ...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [CLI, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, stdout, stderr })));
}

