/** clients/python against the real server: its unittest suite and its README example, with the system python3. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { PACKAGE_ROOT } from '../../bin/runtime.js';
import { readmeExample } from '../helpers/readme-example.js';
import { ADMIN_KEY, COLLECTION, startMultilingualServer, type MultilingualServer } from '../helpers/multilingual-server.js';

const CLIENT_DIR = path.join(PACKAGE_ROOT, 'clients', 'python');
let tafuta: MultilingualServer;

function python(args: string[]) {
  return spawnSync('python3', args, {
    cwd: CLIENT_DIR,
    encoding: 'utf8',
    timeout: 120_000,
    env: { ...process.env, PYTHONPATH: CLIENT_DIR, PYTHONDONTWRITEBYTECODE: '1', TAFUTA_URL: tafuta.url, TAFUTA_API_KEY: ADMIN_KEY, TAFUTA_COLLECTION: COLLECTION },
  });
}

before(async () => {
  tafuta = await startMultilingualServer();
});

after(async () => {
  await tafuta?.stop();
});

test('the unittest suite passes against the server', () => {
  const run = python(['-m', 'unittest', '-v', 'test_tafuta_client']);
  assert.equal(run.status, 0, `${run.stdout}\n${run.stderr}`);
  assert.match(run.stderr, /Ran 5 tests/);
  assert.match(run.stderr, /\nOK\n?$/);
});

test('the README example runs as written', async () => {
  const run = python(['-c', readmeExample(path.join(CLIENT_DIR, 'README.md'), 'python')]);
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stdout, /^query language \S+, mode (dense|hybrid)\n1 mvua sw /);
  const collections = await tafuta.api<{ collections: Array<{ name: string }> }>('GET', '/v1/collections');
  assert.ok(!collections.collections.some((c) => c.name === 'habari-py'), 'the example deletes its collection');
});
