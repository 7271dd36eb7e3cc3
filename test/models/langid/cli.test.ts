import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { runLangIdEval } from '../../../models/langid/cli.js';
import { parseLangIdConfig } from '../../../models/langid/config.js';
import { loadLanguageIdentifier, readLangIdManifest } from '../../../models/langid/io.js';
import { runLangIdTraining } from '../../../models/langid/train.js';
import { writeFixtureData } from './fixtures.js';

test('train → eval on fixtures: a model directory, a threshold from held-out data, a report with per-language rows', () => {
  const { root, trainDir, monoDir, benchDir } = writeFixtureData();
  const outDir = path.join(root, 'langid-toy');
  const config = parseLangIdConfig({ name: 'langid-toy', features: { buckets: 2048 }, data: { trainDir, monoDir, heldOutFraction: 0.2 }, train: { epochs: 3 } });
  const result = runLangIdTraining({ config, outDir });
  assert.deepEqual(result.manifest.labels, ['en', 'aa', 'bb', 'cc']);
  assert.ok(result.threshold.threshold >= 0 && result.threshold.threshold < 1);
  assert.equal(readLangIdManifest(outDir).trainingSeconds, result.manifest.trainingSeconds);
  assert.equal(loadLanguageIdentifier(outDir).identify('kamatana lama')?.lang, 'aa');

  const report = path.join(root, 'langid.md');
  const written: string[] = [];
  const write = process.stdout.write;
  process.stdout.write = ((chunk: string) => written.push(chunk) > 0) as typeof process.stdout.write;
  try {
    runLangIdEval({ model: outDir, bench: benchDir, report, record: true }, () => {});
  } finally {
    process.stdout.write = write;
  }
  assert.match(written.join(''), /langid eval on 61 strings/);
  const md = fs.readFileSync(report, 'utf8');
  assert.match(md, /\| aa \| 20 \|/);
  assert.match(md, /\| en \| 1 \|/);
  assert.match(md, /## Short queries: length-blind and per-length thresholds[^]*\| \*\*macro\*\* \|/);
  // Training records per-length thresholds; the fixtures hold out fewer than 50 strings per bucket, so none apply.
  assert.deepEqual(readLangIdManifest(outDir).lengthThresholds, {});
  assert.match(md, /langid train --config configs\/langid\.json/);
  assert.match(md, new RegExp(`langid eval --model ${outDir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} --bench`));
  const evaluation = readLangIdManifest(outDir).evaluation as { strings: number; perLang: Record<string, unknown> };
  assert.equal(evaluation.strings, 61);
  assert.deepEqual(Object.keys(evaluation.perLang), ['aa', 'bb', 'cc', 'en']);
});
