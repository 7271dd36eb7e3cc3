import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createLangIdModel, createTrainedLanguageIdentifier } from '../../../models/langid/model.js';
import { allowedLabels, dominantScript, labelScripts } from '../../../models/langid/script.js';
import { chooseScriptThresholds } from '../../../models/langid/train.js';

test('dominant script: most letters win; digits and punctuation do not count', () => {
  assert.equal(dominantScript('ንጹህ ውሃ'), 'Ethiopic');
  assert.equal(dominantScript('ສະບາຍດີ OK'), 'Lao');
  assert.equal(dominantScript('Файл 2024'), 'Cyrillic');
  assert.equal(dominantScript('Open ንጹ'), 'Latin');
  assert.equal(dominantScript('123 !!'), undefined);
});

test('label scripts keep those of at least minShare of the strings; the mask never rules out everything', () => {
  const scripts = labelScripts(
    new Map([
      ['am', new Map([['Ethiopic', 98], ['Latin', 2]])],
      ['sw', new Map([['Latin', 100]])],
    ]),
    0.05,
  );
  assert.deepEqual(scripts, { am: ['Ethiopic'], sw: ['Latin'] });
  assert.deepEqual(allowedLabels(['en', 'am', 'sw'], scripts, 'Ethiopic'), Uint8Array.from([0, 1, 0]));
  assert.equal(allowedLabels(['en', 'am', 'sw'], scripts, 'Han'), undefined);
  assert.equal(allowedLabels(['en', 'am', 'sw'], undefined, 'Latin'), undefined);
});

test('the identifier renormalises over the labels that use the text script', () => {
  const model = createLangIdModel({ buckets: 64, minN: 3, maxN: 5, words: true }, ['en', 'am', 'ti']);
  model.bias.set([2, 0, 0]); // English would win everything unmasked
  const scripts = { en: ['Latin'], am: ['Ethiopic'], ti: ['Ethiopic'] };
  const id = createTrainedLanguageIdentifier(model, { name: 'm', threshold: 0.4, scripts });
  const p = id.distribution('ሰላም')!;
  assert.equal(p.en, 0);
  assert.ok(Math.abs(p.am! - 0.5) < 1e-12 && Math.abs(p.ti! - 0.5) < 1e-12);
  assert.equal(id.identify('hello')?.lang, 'en');
  const unmasked = createTrainedLanguageIdentifier(model, { name: 'u', threshold: 0.4 });
  assert.equal(unmasked.identify('ሰላም')?.lang, 'en');
});

test('per-script thresholds: chosen on each masked script’s held-out strings, applied by the identifier', () => {
  const labels = ['en', 'am', 'ti', 'sw'];
  const scripts = { en: ['Latin'], am: ['Ethiopic'], ti: ['Ethiopic'], sw: ['Latin'] };
  const predictions = [
    ...Array.from({ length: 60 }, (_, i) => ({ gold: 'am', words: 1, top: i < 45 ? 'am' : 'ti', probability: i < 45 ? 0.9 : 0.6, script: 'Ethiopic' })),
    ...Array.from({ length: 60 }, () => ({ gold: 'en', words: 1, top: 'en', probability: 0.3, script: 'Latin' })),
    ...Array.from({ length: 10 }, () => ({ gold: 'en', words: 1, top: 'en', probability: 0.3, script: 'Greek' })),
  ];
  const chosen = chooseScriptThresholds(predictions, labels, scripts, 0.95);
  assert.deepEqual(Object.keys(chosen), ['Ethiopic', 'Latin']); // Greek: no label writes it, no mask
  assert.equal(chosen.Ethiopic!.threshold, 0.61);
  assert.equal(chosen.Latin!.threshold, 0);
  // A script written by more than half of the labels keeps the default threshold.
  const wide = chooseScriptThresholds(predictions, labels, { ...scripts, am: ['Ethiopic', 'Latin'] }, 0.95);
  assert.deepEqual(Object.keys(wide), ['Ethiopic']);

  const model = createLangIdModel({ buckets: 64, minN: 3, maxN: 5, words: true }, labels.slice(0, 3));
  const id = createTrainedLanguageIdentifier(model, { name: 'm', threshold: 0.3, scripts, scriptThresholds: { Ethiopic: 0.6 } });
  assert.equal(id.thresholdFor('ሰላም'), 0.6);
  assert.equal(id.thresholdFor('hello'), 0.3);
  assert.equal(id.identify('ሰላም'), undefined); // 0.5 between am and ti: unsure
  assert.equal(id.identify('hello')?.lang, 'en'); // 1 after the mask
});
