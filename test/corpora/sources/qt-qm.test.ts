import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pairsFromQm, parseQm, qmCatalogKey, qmLocale } from '../../../corpora/sources/qt-qm.js';
import { byBaseLang, qtQmPairs } from '../../../corpora/phases/train.js';
import { buildGuard, createPairCleaner, DEFAULT_CLEAN_OPTIONS } from '../../../corpora/clean.js';

const fixtureDir = fileURLToPath(new URL('../../../../test/fixtures/qt-qm/', import.meta.url));

/** Written byte by byte from the layout in qtranslator.cpp (not by an encoder), so the parser is checked against the format. */
const HAND_MADE = Buffer.from([
  '3cb86418caef9c95cd211cbf60a1bddd', // magic
  'a7 00000002 626f', // language block: "bo"
  '42 00000008 0000000100000000', // hashes block (only used for lookups: skipped)
  '69 0000005c', // messages block, 92 bytes:
  '03 00000006 005400eb006a', //   translation "Tëj" (UTF-16BE)
  '06 00000005 436c6f7365', //   source "Close" (UTF-8)
  '07 00000003 446c67', //   context "Dlg"
  '01', //   end of message
  '03 00000002 0061', //   translation (first plural form) "a"
  '03 ffffffff', //   translation (second form) null: no payload
  '06 0000000a 256e2066696c65287329', //   source "%n file(s)"
  '08 00000001 63', //   comment "c"
  '05 12345678', //   obsolete hash, 4 bytes
  '01',
  '03 00000002 0062', //   translation "b" with no source text (a stripped catalog)
  '01',
  '03 00000000', //   empty translation
  '06 00000004 4f70656e', //   source "Open"
  '01',
].join('').replace(/\s/gu, ''), 'hex');

test('parseQm reads a hand-made catalog: language, UTF-16BE translations, UTF-8 sources, plural forms, null forms, skipped fields', () => {
  const file = parseQm(HAND_MADE);
  assert.equal(file.language, 'bo');
  assert.deepEqual(file.messages, [
    { context: 'Dlg', source: 'Close', comment: '', translations: ['Tëj'] },
    { context: '', source: '%n file(s)', comment: 'c', translations: ['a', null] },
    { context: '', source: '', comment: '', translations: ['b'] },
    { context: '', source: 'Open', comment: '', translations: [''] },
  ]);
  const pairs = pairsFromQm(file, [], { lang: 'bo', source: 'qt-qm', pkg: 'p' });
  assert.deepEqual(pairs.map((p) => [p.en, p.text]), [['Close', 'Tëj'], ['%n file(s)', 'a']]);
});

test('parseQm rejects a file without the magic number, a block past the end and an unknown message tag', () => {
  assert.throws(() => parseQm(Buffer.from('not a qm file at all')), /bad magic number/u);
  assert.throws(() => parseQm(HAND_MADE.subarray(0, HAND_MADE.length - 3)), /runs past the end/u);
  const badTag = Buffer.concat([HAND_MADE.subarray(0, 16), Buffer.from('6900000002' + '0a01', 'hex')]);
  assert.throws(() => parseQm(badTag), /unknown message tag 0xa at byte 0/u);
  const truncated = Buffer.concat([HAND_MADE.subarray(0, 16), Buffer.from('6900000006' + '0300000009' + '00', 'hex')]);
  assert.throws(() => parseQm(truncated), /runs past the messages block/u);
});

test('parseQm reads lrelease output (Qt 5.15, fixture dialog_bo.qm from dialog_bo.ts): numerus, comments, unfinished left out', async () => {
  const file = parseQm(await readFile(join(fixtureDir, 'dialog_bo.qm')));
  assert.equal(file.language, 'bo');
  assert.deepEqual(file.messages.map((m) => [m.context, m.source, m.translations]).sort(), [
    ['Dialog', '%n file(s)', ['ཡིག་ཆ་ %n']],
    ['Dialog', '&Open file', ['ཡིག་ཆ་&ཁ་ཕྱེ།']],
    ['Dialog', 'Cancel', ['Annuler']],
    ['Dialog', 'Close', ['ཁ་རྒྱག']],
  ]);
  const pairs = pairsFromQm(file, [], { lang: 'bo', source: 'qt-qm', pkg: 'p' });
  // Word-initial mnemonics are the shared normaliser's job; stripMnemonic (as for gettext) only takes in-word ones.
  assert.deepEqual(pairs.map((p) => [p.en, p.text]).sort(), [
    ['%n file(s)', 'ཡིག་ཆ་ %n'], ['&Open file', 'ཡིག་ཆ་&ཁ་ཕྱེ།'], ['Cancel', 'Annuler'], ['Close', 'ཁ་རྒྱག'],
  ]);
});

test('parseQm agrees with a fresh lrelease run when one is installed (LRELEASE or lrelease on PATH)', async (t) => {
  const lrelease = process.env['LRELEASE'] ?? 'lrelease';
  if (spawnSync(lrelease, ['-version']).error) {
    t.skip('lrelease not installed');
    return;
  }
  const dir = await mkdtemp(join(tmpdir(), 'qm-'));
  try {
    await copyFile(join(fixtureDir, 'dialog_bo.ts.txt'), join(dir, 'dialog_bo.ts'));
    const run = spawnSync(lrelease, [join(dir, 'dialog_bo.ts'), '-qm', join(dir, 'out.qm')]);
    assert.equal(run.status, 0, run.stderr.toString());
    const fresh = parseQm(await readFile(join(dir, 'out.qm')));
    assert.deepEqual(fresh, parseQm(await readFile(join(fixtureDir, 'dialog_bo.qm'))));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('qmLocale takes the locale from the file name or the LC_MESSAGES directory; qmCatalogKey groups one catalog across locales', () => {
  assert.equal(qmLocale('/x/translations/deepin-movie_bo.qm'), 'bo');
  assert.equal(qmLocale('/x/translations/deepin-movie_am_ET.qm'), 'am_ET');
  assert.equal(qmLocale('/x/ukui-notebook_bo_CN.qm'), 'bo_CN');
  assert.equal(qmLocale('/x/scribus.so.qm'), 'so');
  assert.equal(qmLocale('/x/qshutdown-uz.qm'), 'uz');
  assert.equal(qmLocale('/x/stellarium/mn.qm'), 'mn');
  assert.equal(qmLocale('/x/locale/uz@cyrillic/LC_MESSAGES/kauth5_qt.qm'), 'uz@cyrillic');
  assert.equal(qmLocale('/x/deepin-movie.qm'), null);
  assert.equal(qmLocale('/x/fet_untranslated.qm'), null);
  assert.equal(qmCatalogKey('/x/app_bo.qm', 'bo'), qmCatalogKey('/x/app_zh_CN.qm', 'zh_CN'));
  assert.notEqual(qmCatalogKey('/x/app_bo.qm', 'bo'), qmCatalogKey('/x/other_zh_CN.qm', 'zh_CN'));
  assert.equal(qmCatalogKey('/l/ha/LC_MESSAGES/k_qt.qm', 'ha'), qmCatalogKey('/l/ru/LC_MESSAGES/k_qt.qm', 'ru'));
});

/** A one-context catalog in the layout above (checked against HAND_MADE below). */
function qmBytes(language: string, messages: Array<[string, string]>): Buffer {
  const field = (tag: number, bytes: Buffer): Buffer => {
    const head = Buffer.alloc(5);
    head[0] = tag;
    head.writeUInt32BE(bytes.length, 1);
    return Buffer.concat([head, bytes]);
  };
  const utf16be = (s: string): Buffer => Buffer.from(s, 'utf16le').swap16();
  const body = Buffer.concat(messages.map(([source, translation]) => Buffer.concat([
    field(3, utf16be(translation)), field(6, Buffer.from(source, 'utf8')), field(7, Buffer.from('Dlg')), Buffer.from([1]),
  ])));
  return Buffer.concat([Buffer.from('3cb86418caef9c95cd211cbf60a1bddd', 'hex'), field(0xa7, Buffer.from(language)), field(0x69, body)]);
}

test('qtQmPairs reads the wanted locales in path order, drops strings copied from fallback siblings; the leakage guard applies', async () => {
  assert.deepEqual(qmBytes('bo', [['Close', 'Tëj']]).subarray(16, 23), HAND_MADE.subarray(16, 23));
  assert.deepEqual(parseQm(qmBytes('bo', [['Close', 'Tëj']])).messages, parseQm(HAND_MADE).messages.slice(0, 1));
  const dir = await mkdtemp(join(tmpdir(), 'qt-qm-'));
  try {
    await mkdir(join(dir, 'usr/share/app/translations'), { recursive: true });
    await mkdir(join(dir, 'usr/share/locale/ha/LC_MESSAGES'), { recursive: true });
    await mkdir(join(dir, 'usr/share/locale/ru/LC_MESSAGES'), { recursive: true });
    const t = (name: string): string => join(dir, 'usr/share/app/translations', name);
    await writeFile(t('app_bo.qm'), qmBytes('bo', [['Close', 'ཁ་རྒྱག'], ['Cancel', '取消'], ['Open the selected file', 'ཡིག་ཆ་ཁ་ཕྱེ།']]));
    await writeFile(t('app_zh_CN.qm'), qmBytes('zh_CN', [['Cancel', '取消'], ['Close', '关闭']]));
    await writeFile(t('app_mn_MN.qm'), qmBytes('mn_MN', [['Close', 'Хаах']]));
    await writeFile(t('other_fr.qm'), qmBytes('fr', [['Close', 'ཁ་རྒྱག']]));
    await writeFile(t('app_es_ES.qm'), qmBytes('es', [['Close', 'Cerrar']]));
    await writeFile(join(dir, 'usr/share/locale/ha/LC_MESSAGES/k_qt.qm'), qmBytes('ha', [['Search', 'Bincika'], ['Find', 'Найти']]));
    await writeFile(join(dir, 'usr/share/locale/ru/LC_MESSAGES/k_qt.qm'), qmBytes('ru', [['Find', 'Найти']]));
    await writeFile(t('broken_so.qm'), Buffer.from('garbage'));

    const errors: string[] = [];
    const pairs = await qtQmPairs(dir, 'app', ['zh', 'ru'], byBaseLang(new Set(['bo', 'ha', 'so'])), (m) => errors.push(m));
    assert.deepEqual(pairs.map((p) => `${p.lang}:${p.en}=${p.text}`), [
      'bo:Close=ཁ་རྒྱག', 'bo:Open the selected file=ཡིག་ཆ་ཁ་ཕྱེ།', 'ha:Search=Bincika',
    ]);
    assert.ok(pairs.every((p) => p.source === 'qt-qm' && p.pkg === 'app'));
    assert.equal(errors.length, 1);
    assert.match(errors[0]!, /broken_so\.qm: not a \.qm file/u);

    const clean = createPairCleaner({ guard: buildGuard(['Search']), ...DEFAULT_CLEAN_OPTIONS });
    assert.deepEqual(pairs.map((p) => clean(p)).map((v) => (v.keep ? 'keep' : v.reason)), ['keep', 'keep', 'leak']);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
