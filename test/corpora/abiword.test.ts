import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, writeFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAbiStrings } from '../../corpora/sources/abiword.js';
import { stripMnemonic } from '../../corpora/sources/gettext.js';
import { copiedFrom, pairByKey } from '../../corpora/sources/pair-by-key.js';
import { abiwordPairs } from '../../corpora/phases/train.js';
import { buildGuard, createPairCleaner, DEFAULT_CLEAN_OPTIONS } from '../../corpora/clean.js';

function stringsFile(language: string, xap: Record<string, string>, ap: Record<string, string> = {}): string {
  const attrs = (m: Record<string, string>): string => Object.entries(m).map(([k, v]) => `${k}="${v}"`).join('\n');
  return `<?xml version="1.0" encoding="UTF-8"?>\n<!-- DLG_Comment="not a message" -->\n<AbiStrings ver="1.0" language="${language}">\n`
    + `<Strings class="XAP"\n${attrs(xap)}\n/>\n<Strings class="AP"\n${attrs(ap)}\n/>\n</AbiStrings>\n`;
}

const english = stringsFile('en-GB', {
  DLG_Cancel: 'Cancel', DLG_Close: 'Close', DLG_Find: 'Find &amp;next revision', DLG_Bold: 'Bold text &gt; normal text',
  DLG_Encoding: 'Central European, Windows Code Page 1250', DLG_Empty: 'Empty one', DLG_Copy: '&amp;Copy the selected text',
  DLG_Export: 'HTML export options', DLG_List: 'Bulleted list',
}, { MSG_Quote: 'Say &quot;hello&quot;&#x000a;twice', MSG_Colour: 'Text colour' });
const french = stringsFile('fr-FR', { DLG_Encoding: 'Européen central, Page de codes Windows 1250', DLG_Cancel: 'Annuler',
  DLG_Export: "Options d'exportation HTML", DLG_List: 'Liste à puces' });
const wolof = stringsFile('wo-SN', {
  DLG_Cancel: 'Neenal   ', DLG_Close: 'Tëj', DLG_Find: 'Seet b&amp;eneen', DLG_Bold: 'Bind bu dëgër > bind',
  DLG_Encoding: 'Européen central, Page de codes Windows 1250', DLG_Empty: '', DLG_Unknown: 'Amul',
  DLG_Export: "Options d'exportation HTML ...", DLG_List: 'Liste bu am puces',
}, { MSG_Quote: 'Wax &quot;salaam&quot;&#x000a;ñaari yoon', MSG_Colour: 'Text colour' });
const quechua = stringsFile('quz', { DLG_Close: "Wisq'ay", DLG_Cancel: 'Saqiy' });

test('parseAbiStrings reads every <Strings> element, decodes entities, keeps a raw ">" inside a value and skips class and comments', () => {
  const messages = parseAbiStrings(english);
  assert.equal(messages.get('DLG_Find'), 'Find &next revision');
  assert.equal(messages.get('DLG_Bold'), 'Bold text > normal text');
  assert.equal(messages.get('MSG_Quote'), 'Say "hello"\ntwice');
  assert.equal(parseAbiStrings(wolof).get('DLG_Bold'), 'Bind bu dëgër > bind');
  assert.equal(messages.has('class'), false);
  assert.equal(messages.has('DLG_Comment'), false);
  assert.equal(messages.size, 11);
  assert.throws(() => parseAbiStrings('<AbiStrings ver="1.0"></AbiStrings>'), /no <Strings> element/u);
});

test('copiedFrom: equal, or at least three quarters of the words from the fallback string; a loanword or two is not a copy', () => {
  assert.equal(copiedFrom('Annuler', ' Annuler '), true);
  assert.equal(copiedFrom('Posición relativa al parágrafo más cercano', 'Posición relativa al párrafo más cercano'), true);
  assert.equal(copiedFrom('Makiswan lista', 'Lista numerada'), false);
  assert.equal(copiedFrom('...', '…'), false);
  assert.equal(copiedFrom('Neenal', undefined), false);
});

test('pairByKey with stripMnemonic (AbiWord) pairs by id and drops empty, English-equal, unknown and fallback-copied strings', () => {
  const pairs = pairByKey(parseAbiStrings(english), parseAbiStrings(wolof), [parseAbiStrings(french)], { lang: 'wo', source: 'abiword', pkg: 'abiword-common' }, stripMnemonic);
  assert.deepEqual(pairs.map((p) => [p.en, p.text]), [
    ['Cancel', 'Neenal'],
    ['Close', 'Tëj'],
    ['Find &next revision', 'Seet beneen'],
    ['Bold text > normal text', 'Bind bu dëgër > bind'],
    ['Bulleted list', 'Liste bu am puces'],
    ['Say "hello"\ntwice', 'Wax "salaam"\nñaari yoon'],
  ]);
  assert.ok(pairs.every((p) => p.lang === 'wo' && p.source === 'abiword' && p.pkg === 'abiword-common'));
});

test('abiwordPairs reads the configured locales in order for the wanted languages; the leakage guard drops benchmark strings', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'abiword-'));
  try {
    for (const [locale, xml] of [['en-GB', english], ['fr-FR', french], ['wo-SN', wolof], ['quz', quechua]] as const) {
      await writeFile(join(dir, `${locale}.strings`), xml);
    }
    const config = { package: 'abiword-common', dir: 'usr/share/abiword-3.0/strings', english: 'en-GB', fallbacks: ['fr-FR', 'en-AU'],
      locales: { 'quz': 'qu', 'wo-SN': 'wo', 'quh-BO': 'qu', 'sw': 'sw' }, why: 'test' };
    const pairs = await abiwordPairs(dir, config, ['wo', 'qu', 'ha']);
    assert.deepEqual(pairs.map((p) => `${p.lang}:${p.text}`), ["qu:Wisq'ay", 'qu:Saqiy', 'wo:Neenal', 'wo:Tëj', 'wo:Seet beneen', 'wo:Bind bu dëgër > bind', 'wo:Liste bu am puces', 'wo:Wax "salaam"\nñaari yoon']);
    assert.deepEqual((await abiwordPairs(dir, config, ['sw'])), []);

    const clean = createPairCleaner({ guard: buildGuard(['tëj']), ...DEFAULT_CLEAN_OPTIONS });
    const verdicts = pairs.filter((p) => p.lang === 'wo').map((p) => clean(p));
    assert.deepEqual(verdicts.map((v) => (v.keep ? 'keep' : v.reason)), ['keep', 'leak', 'keep', 'keep', 'keep', 'keep']);

    await assert.rejects(abiwordPairs(dir, { ...config, english: 'en-US' }, ['wo']), /no en-US\.strings/u);
    await writeFile(join(dir, 'quz.strings'), 'not xml');
    await assert.rejects(abiwordPairs(dir, config, ['qu']), /quz\.strings: not an AbiWord strings file/u);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
