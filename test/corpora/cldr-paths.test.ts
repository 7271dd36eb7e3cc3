import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, writeFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cldrStrings, pairCldrByPath } from '../../corpora/sources/cldr-paths.js';
import { cldrExtraPairs } from '../../corpora/phases/train.js';
import { buildGuard, createPairCleaner, DEFAULT_CLEAN_OPTIONS } from '../../corpora/clean.js';

const meta = { lang: 'ha', source: 'cldr-extra', pkg: 'cldr-dates-full' };

function dateFields(locale: string, fields: Record<string, unknown>): unknown {
  return { main: { [locale]: { identity: { language: locale }, dates: { fields } } } };
}

const english = dateFields('en', {
  day: { displayName: 'day', 'relative-type-1': 'tomorrow', 'relative-type--1': 'yesterday' },
  'day-short': { displayName: 'day' },
  month: { displayName: 'month', 'displayName-alt-variant': 'mo' },
  hour: { relativeTime: { 'relativeTimePattern-count-one': 'in {0} hour' } },
  km: { displayName: 'km' },
});
const hausa = dateFields('ha', {
  day: { displayName: 'kwana', 'relative-type-1': 'gobe', 'relative-type--1': 'jiya' },
  'day-short': { displayName: 'kwana' },
  month: { displayName: 'wata', 'displayName-alt-variant': 'wt' },
  hour: { relativeTime: { 'relativeTimePattern-count-one': 'cikin awa {0}' } },
  km: { displayName: 'km' },
  week: { displayName: 'mako' },
});

test('cldrStrings keys string leaves by path and leaves out identity, width variants and -alt- spellings', () => {
  const strings = cldrStrings(english);
  assert.equal(strings.get('dates.fields.day.relative-type-1'), 'tomorrow');
  assert.equal(strings.get('dates.fields.hour.relativeTime.relativeTimePattern-count-one'), 'in {0} hour');
  assert.equal(strings.has('identity.language'), false);
  assert.equal(strings.has('dates.fields.month.displayName-alt-variant'), false);
  const short = cldrStrings({ main: { en: { units: { short: { a: 'km' }, long: { a: 'kilometers' } } } } });
  assert.deepEqual([...short], [['units.long.a', 'kilometers']]);
  const patterns = cldrStrings({ main: { en: { gregorian: { dateFormats: { full: 'EEEE, MMMM d, y' }, months: { wide: { 1: 'January' } } } } } });
  assert.deepEqual([...patterns], [['gregorian.months.wide.1', 'January']]);
});

test('pairCldrByPath pairs by path, in the translated file order, skipping fallbacks, symbols and unmatched paths', () => {
  const pairs = pairCldrByPath(cldrStrings(english), cldrStrings(hausa), meta);
  assert.deepEqual(pairs.map((p) => [p.en, p.text]), [
    ['day', 'kwana'],
    ['tomorrow', 'gobe'],
    ['yesterday', 'jiya'],
    ['day', 'kwana'],
    ['month', 'wata'],
    ['in {0} hour', 'cikin awa {0}'],
  ]);
  assert.ok(pairs.every((p) => p.lang === 'ha' && p.source === 'cldr-extra' && p.pkg === 'cldr-dates-full'));
});

test('cldrExtraPairs reads main/<lang>/<file>.json against main/en, per file then language; the leakage guard drops benchmark strings', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'cldr-extra-'));
  try {
    for (const [locale, json] of [['en', english], ['ha', hausa], ['yo', dateFields('yo', { day: { displayName: 'ọjọ́' } })]] as const) {
      await mkdir(join(dir, 'main', locale), { recursive: true });
      await writeFile(join(dir, 'main', locale, 'dateFields.json'), JSON.stringify(json));
    }
    const pairs = await cldrExtraPairs(dir, 'cldr-dates-full', ['dateFields', 'missing'], ['yo', 'ha', 'so']);
    assert.deepEqual(pairs.map((p) => `${p.lang}:${p.text}`), ['yo:ọjọ́', 'ha:kwana', 'ha:gobe', 'ha:jiya', 'ha:kwana', 'ha:wata', 'ha:cikin awa {0}']);
    assert.deepEqual(await cldrExtraPairs(dir, 'cldr-dates-full', ['dateFields'], ['yo', 'ha', 'so']), pairs);

    const clean = createPairCleaner({ guard: buildGuard(['Gobe']), ...DEFAULT_CLEAN_OPTIONS });
    const verdicts = pairs.filter((p) => p.lang === 'ha').map((p) => clean(p));
    assert.deepEqual(verdicts.map((v) => (v.keep ? 'keep' : v.reason)), ['keep', 'leak', 'keep', 'duplicate', 'keep', 'keep']);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
