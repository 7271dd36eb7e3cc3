import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { flattenCatalog, parseBlocklyMessages } from '../../../corpora/sources/npm-catalog.js';
import { pairByKey } from '../../../corpora/sources/pair-by-key.js';
import { byBaseLang, npmCatalogPairs } from '../../../corpora/phases/train.js';

test('flattenCatalog: nested keys joined with ".", message/string leaves, non-strings skipped; a non-object is an error', () => {
  const messages = flattenCatalog({
    'gui.save': 'Save now',
    menu: { file: { open: 'Open a file' }, count: 3, tags: ['a', 'b'], none: null },
    'chrome.style': { message: 'Close the tab', description: 'not the text' },
    transifex: { string: 'Share your project', developer_comment: 'not the text' },
  });
  assert.deepEqual([...messages], [
    ['gui.save', 'Save now'],
    ['menu.file.open', 'Open a file'],
    ['chrome.style', 'Close the tab'],
    ['transifex', 'Share your project'],
  ]);
  assert.deepEqual([...flattenCatalog({ so: { modes: { add: 'Ku dar' } } }, 'so')], [['modes.add', 'Ku dar']], 'wrapped in its own locale');
  assert.deepEqual([...flattenCatalog({ so: { modes: { add: 'Ku dar' } } }, 'ha')], [['so.modes.add', 'Ku dar']], 'another locale is a key');
  assert.throws(() => flattenCatalog(['Save']), /not a JSON catalog/u);
  assert.throws(() => flattenCatalog('Save'), /not a JSON catalog/u);
});

const BLOCKLY_HA = [
  '// This file was automatically generated.  Do not modify.',
  "var Blockly = Blockly || { Msg: Object.create(null) };",
  'Blockly.Msg["ADD_COMMENT"] = "Daɗa Sharhi";',
  'Blockly.Msg["ALT_KEY"] = "Alt";  // untranslated',
  'Blockly.Msg["QUOTED"] = "Ya ce \\"sannu\\" sau biyu\\nkuma \\\'yanzu\\\'";',
  'Blockly.Msg["LISTS_HELPURL"] = "https://example.org/lists";',
  'Blockly.Msg["CONTROLS_FOR_INPUT_DO"] = Blockly.Msg["CONTROLS_REPEAT_INPUT_DO"];',
  '      root.Blockly.Msg[key] = messages[key];',
].join('\n');

test('parseBlocklyMessages reads Blockly.Msg lines, skips untranslated ones and aliases; a file without any is an error', () => {
  assert.deepEqual([...parseBlocklyMessages(BLOCKLY_HA)], [
    ['ADD_COMMENT', 'Daɗa Sharhi'],
    ['QUOTED', 'Ya ce "sannu" sau biyu\nkuma \'yanzu\''],
    ['LISTS_HELPURL', 'https://example.org/lists'],
  ]);
  assert.throws(() => parseBlocklyMessages('export default {};'), /not a Blockly message file/u);
});

test('pairByKey pairs by key in the translation\'s order and drops empty, English-equal, unknown and fallback-copied strings', () => {
  const english = new Map([['a', 'Save now'], ['b', 'Open a file'], ['c', 'Scratch'], ['d', 'Share your project'], ['e', 'Delete the sprite']]);
  const spanish = new Map([['d', 'Compartir tu proyecto']]);
  const quechua = new Map([['e', ' Pichay sprite-ta '], ['a', 'Kunan waqaychay'], ['b', '  '], ['c', 'Scratch'], ['d', 'Compartir tu proyecto'], ['x', 'Mana']]);
  const pairs = pairByKey(english, quechua, [spanish], { lang: 'qu', source: 'npm-catalogs', pkg: 'scratch-l10n' });
  assert.deepEqual(pairs.map((p) => [p.en, p.text]), [['Delete the sprite', 'Pichay sprite-ta'], ['Save now', 'Kunan waqaychay']]);
  assert.ok(pairs.every((p) => p.lang === 'qu' && p.source === 'npm-catalogs' && p.pkg === 'scratch-l10n'));
});

test('npmCatalogPairs reads the listed directories (dir/* = each subdirectory) in order, wanted locales only; a broken catalog is reported, a missing English one is an error', async () => {
  const pkg = await mkdtemp(join(tmpdir(), 'npm-catalogs-'));
  const write = async (path: string, json: unknown): Promise<void> => {
    await mkdir(join(pkg, path, '..'), { recursive: true });
    await writeFile(join(pkg, path), typeof json === 'string' ? json : JSON.stringify(json));
  };
  try {
    await write('editor/interface/en.json', { save: 'Save now', share: 'Share your project' });
    await write('editor/interface/ha.json', { save: 'Ajiye yanzu', share: 'Raba aikinka' });
    await write('editor/interface/es.json', { save: 'Guardar ahora', share: 'Compartir tu proyecto' });
    await write('editor/interface/qu.json', { save: 'Kunan waqaychay', share: 'Compartir tu proyecto' });
    await write('www/faq/en.json', { q: 'What is Scratch for?' });
    await write('www/faq/qu-PE.json', { q: 'Imapaqmi Scratch?' });
    await write('www/faq/yo.json', '{ not json');
    await write('www/about/en.json', { intro: 'Scratch is a coding community' });
    await write('www/about/ha.json', { intro: 'Scratch al\'umma ce ta coding' });
    await write('www/about/notes.txt', 'not a catalog');
    const entry = { dirs: ['editor/interface', 'www/*'], format: 'json' as const, english: 'en', fallbacks: ['es'], skipKeys: [] };
    const errors: string[] = [];
    const pairs = await npmCatalogPairs(pkg, 'scratch-l10n', entry, byBaseLang(new Set(['ha', 'qu', 'yo'])), (m) => errors.push(m));
    assert.deepEqual(pairs.map((p) => `${p.lang}:${p.en} → ${p.text}`), [
      'ha:Save now → Ajiye yanzu',
      'ha:Share your project → Raba aikinka',
      'qu:Save now → Kunan waqaychay',
      'ha:Scratch is a coding community → Scratch al\'umma ce ta coding',
      'qu:What is Scratch for? → Imapaqmi Scratch?',
    ]);
    assert.equal(errors.length, 1);
    assert.match(errors[0]!, /scratch-l10n: www\/faq\/yo\.json: /u);

    await write('dist/locales/en.min.json', { en: { modes: { add: 'Add a point' }, presets: { shop: { terms: 'store, market' } } } });
    await write('dist/locales/so.min.json', { so: { modes: { add: 'Ku dar barta' }, presets: { shop: { terms: 'dukaan, suuq' } } } });
    await write('dist/locales/so.json', { so: { modes: { add: 'not read: not a .min.json catalog' } } });
    await write('dist/locales/so.min.min.json', { so: { modes: { add: 'not read: not a locale' } } });
    const iD = { dirs: ['dist/locales'], format: 'json' as const, suffix: '.min.json', english: 'en', fallbacks: [], skipKeys: ['\\.terms$'] };
    assert.deepEqual((await npmCatalogPairs(pkg, 'iD', iD, byBaseLang(new Set(['so'])), () => {})).map((p) => `${p.lang}:${p.en} → ${p.text}`),
      ['so:Add a point → Ku dar barta']);

    await write('msg/en.js', BLOCKLY_HA.replace('Daɗa Sharhi', 'Add Comment').replace('Ya ce \\"sannu\\" sau biyu\\nkuma \\\'yanzu\\\'', 'Say \\"hello\\" twice'));
    await write('msg/ha.js', BLOCKLY_HA);
    const blockly = { dirs: ['msg'], format: 'blockly-msg' as const, english: 'en', fallbacks: [], skipKeys: ['_HELPURL$'] };
    assert.deepEqual((await npmCatalogPairs(pkg, 'blockly', blockly, byBaseLang(new Set(['ha'])), () => {})).map((p) => `${p.en} → ${p.text}`),
      ['Add Comment → Daɗa Sharhi', 'Say "hello" twice → Ya ce "sannu" sau biyu\nkuma \'yanzu\'']);

    await rm(join(pkg, 'www/about/en.json'));
    await assert.rejects(npmCatalogPairs(pkg, 'scratch-l10n', entry, byBaseLang(new Set(['ha'])), () => {}), /scratch-l10n: www\/about\/en\.json: /u);
  } finally {
    await rm(pkg, { recursive: true, force: true });
  }
});
