import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mo } from 'gettext-parser';
import { buildGuard, createPairCleaner, DEFAULT_CLEAN_OPTIONS } from '../../corpora/clean.js';
import { loadSourcesConfig } from '../../corpora/config.js';
import { byBaseLang, byVariant, moPairs } from '../../corpora/phases/train.js';

function catalog(entries: Record<string, string>): Buffer {
  const translations: Record<string, { msgid: string; msgstr: string[] }> = { '': { msgid: '', msgstr: ['Content-Type: text/plain; charset=UTF-8\n'] } };
  for (const [msgid, msgstr] of Object.entries(entries)) translations[msgid] = { msgid, msgstr: [msgstr] };
  return mo.compile({ charset: 'utf-8', headers: { 'Content-Type': 'text/plain; charset=UTF-8' }, translations: { '': translations } });
}

const variants = { qu: { locales: ['quz', 'quy'], packages: ['sugar-session'], why: 'test' } };

test('byVariant maps only the listed variant locales of wanted languages; byBaseLang never reads them', () => {
  const variantOf = byVariant(variants, ['qu', 'wo']);
  assert.deepEqual(['quz', 'quy_PE', 'QUZ', 'qul', 'qu', 'qu_EC', 'es'].map(variantOf), ['qu', 'qu', 'qu', null, null, null, null]);
  assert.equal(byVariant(variants, ['wo'])('quz'), null);
  const base = byBaseLang(new Set(['qu']));
  assert.deepEqual(['quz', 'quy', 'qu_EC'].map(base), [null, null, 'qu']);
});

test('moPairs with byVariant reads quz/quy catalogs as qu, skips qu and qul ones; the leakage guard drops benchmark strings', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'variants-'));
  try {
    const write = async (locale: string, entries: Record<string, string>): Promise<void> => {
      await mkdir(join(dir, 'usr/share/locale', locale, 'LC_MESSAGES'), { recursive: true });
      await writeFile(join(dir, 'usr/share/locale', locale, 'LC_MESSAGES', 'sugar.mo'), catalog(entries));
    };
    await write('quz', { 'My Settings': 'Allichanaykuna', 'Rotate clockwise': 'Pañaman muyuchiy' });
    await write('quy_PE', { 'Run the program': 'Qallariy programata' });
    await write('qul', { 'Close the window': 'North Bolivian text' });
    await write('qu', { 'Open the file': 'Already read by gettext' });
    await writeFile(join(dir, 'usr/share/locale/quz/LC_MESSAGES/broken.mo'), 'not a catalog');

    const errors: string[] = [];
    const pairs = await moPairs(dir, 'sugar-session', 'language-variants', byVariant(variants, ['qu']), (m) => errors.push(m));
    assert.deepEqual(pairs.map((p) => `${p.lang}:${p.en}=${p.text}`).sort(),
      ['qu:My Settings=Allichanaykuna', 'qu:Rotate clockwise=Pañaman muyuchiy', 'qu:Run the program=Qallariy programata']);
    assert.ok(pairs.every((p) => p.source === 'language-variants' && p.pkg === 'sugar-session'));
    assert.equal(errors.length, 1);
    assert.match(errors[0]!, /broken\.mo/u);

    const clean = createPairCleaner({ guard: buildGuard(['Allichanaykuna']), ...DEFAULT_CLEAN_OPTIONS });
    const verdicts = pairs.sort((a, b) => (a.en < b.en ? -1 : 1)).map((p) => clean(p));
    assert.deepEqual(verdicts.map((v) => (v.keep ? 'keep' : v.reason)), ['leak', 'keep', 'keep']);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('the committed languageVariants read Southern Quechua only, from packages the gettext list already holds', () => {
  const config = loadSourcesConfig();
  assert.deepEqual(config.languageVariants['qu']?.locales, ['quz', 'quy']);
  for (const [lang, { packages }] of Object.entries(config.languageVariants)) {
    assert.ok(config.languages.includes(lang), `${lang} is a training language`);
    for (const pkg of packages) assert.ok(pkg in config.gettext.packages, `${pkg} is in the gettext list`);
  }
});
