import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { createEngine, createLanguageIdentifier } from '../../bin/runtime.js';
import { silentLogger } from '../../core/logger.js';
import { LANGID_WEIGHTS, quantizeLangIdModel, saveLangIdModel } from '../../models/langid/io.js';
import { createLangIdModel } from '../../models/langid/model.js';
import { tempDir } from '../helpers/engine.js';

function writeTinyLangId(dir: string): void {
  const model = createLangIdModel({ buckets: 64, minN: 3, maxN: 5, words: true }, ['en', 'sw']);
  model.bias.set([0, 1]);
  saveLangIdModel(dir, quantizeLangIdModel(model), { name: 'tiny-langid', description: 'test', threshold: 0.5 });
}

test('runtime: the heuristic identifier when there is no langid model directory', async () => {
  const modelsDir = tempDir();
  assert.match(createLanguageIdentifier(path.join(modelsDir, 'langid-base'), silentLogger).name, /^heuristic/);
  const engine = await createEngine({ dataDir: undefined, modelsDir, logger: silentLogger });
  try {
    assert.match(engine.languageIdentifier.name, /^heuristic/);
  } finally {
    engine.close();
  }
});

test('runtime: loads <modelsDir>/langid-base when present, and is not mistaken for an encoder', async () => {
  const modelsDir = tempDir();
  writeTinyLangId(path.join(modelsDir, 'langid-base'));
  const engine = await createEngine({ dataDir: undefined, modelsDir, logger: silentLogger });
  try {
    assert.match(engine.languageIdentifier.name, /^tiny-langid/);
    assert.equal(engine.languageIdentifier.identify('habari')?.lang, 'sw');
  } finally {
    engine.close();
  }
});

test('runtime: a broken langid model is logged and replaced by the heuristic', () => {
  const dir = path.join(tempDir(), 'langid-base');
  writeTinyLangId(dir);
  fs.writeFileSync(path.join(dir, LANGID_WEIGHTS), 'garbage');
  const errors: unknown[] = [];
  const logger = { ...silentLogger, error: (...args: unknown[]) => void errors.push(args) } as typeof silentLogger;
  assert.match(createLanguageIdentifier(dir, logger).name, /^heuristic/);
  assert.equal(errors.length, 1);
});
