import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mo } from 'gettext-parser';
import { pairsFromTable, parseMo, stripMnemonic } from '../../corpora/sources/gettext.js';

const meta = { lang: 'sw', source: 'gettext', pkg: 'demo' };

function tinyMo(): Buffer {
  return mo.compile({
    charset: 'utf-8',
    headers: { 'Content-Type': 'text/plain; charset=UTF-8', 'Plural-Forms': 'nplurals=2; plural=(n != 1);' },
    translations: {
      '': {
        '': { msgid: '', msgstr: ['Content-Type: text/plain; charset=UTF-8\n'] },
        'Open file': { msgid: 'Open file', msgstr: ['Fungua faili'] },
        '%d file deleted': { msgid: '%d file deleted', msgid_plural: '%d files deleted', msgstr: ['Faili %d imefutwa', 'Faili %d zimefutwa'] },
        'Not translated': { msgid: 'Not translated', msgstr: [''] },
        'translator-credits': { msgid: 'translator-credits', msgstr: ['Juma'] },
      },
      menu: { Open: { msgctxt: 'menu', msgid: 'Open', msgstr: ['Fungua'] } },
    },
  });
}

test('parseMo pairs msgid/msgstr[0], msgid_plural/msgstr[1], msgctxt entries, and skips empty and credits', () => {
  const pairs = parseMo(tinyMo(), meta).map((p) => [p.en, p.text]);
  assert.deepEqual(pairs.sort(), [
    ['%d file deleted', 'Faili %d imefutwa'],
    ['%d files deleted', 'Faili %d zimefutwa'],
    ['Open', 'Fungua'],
    ['Open file', 'Fungua faili'],
  ].sort());
  assert.ok(parseMo(tinyMo(), meta).every((p) => p.lang === 'sw' && p.pkg === 'demo' && p.source === 'gettext'));
});

test('pairsFromTable skips fuzzy entries and a missing second plural form', () => {
  const pairs = pairsFromTable({
    charset: 'utf-8',
    headers: {},
    translations: {
      '': {
        Fuzzy: { msgid: 'Fuzzy', msgstr: ['Si hakika'], comments: { flag: 'fuzzy, c-format' } },
        'One day': { msgid: 'One day', msgid_plural: '%d days', msgstr: ['Ọjọ kan'] },
      },
    },
  }, meta);
  assert.deepEqual(pairs.map((p) => p.en), ['One day']);
});

test('parseMo rejects a buffer that is not a catalog', () => {
  assert.throws(() => parseMo(Buffer.from('not a catalog at all'), meta));
});

test('stripMnemonic removes one in-word accelerator and leaves identifiers and prose alone', () => {
  assert.equal(stripMnemonic('Ne_w Item'), 'New Item');
  assert.equal(stripMnemonic('Me_nyu Mpya'), 'Menyu Mpya');
  assert.equal(stripMnemonic('Sa~ve As'), 'Save As');
  assert.equal(stripMnemonic('O&pen'), 'Open');
  assert.equal(stripMnemonic('rock & roll'), 'rock & roll');
  assert.equal(stripMnemonic('max_file_size'), 'max_file_size');
});
