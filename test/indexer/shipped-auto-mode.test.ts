/** The shipped encoder's measured `auto` rule (models/cmtp-base/model.json, written by `tafuta auto-modes`). */
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { resolveMode } from '../../indexer/search.js';
import { createOnnxEncoder } from '../../models/onnx/onnx-encoder.js';

const SHIPPED = fileURLToPath(new URL('../../../models/cmtp-base', import.meta.url));

test('shipped encoder: auto follows the measured table, and English (no adapter) goes where the measurement sent it', async () => {
  const encoder = await createOnnxEncoder(SHIPPED, { wordCache: 0 });
  try {
    const measured = encoder.info.autoModes;
    assert.ok(measured, 'models/cmtp-base/model.json carries autoModes');
    assert.ok(!encoder.info.adapters?.includes('en'));
    assert.equal(measured.languages.en, 'dense');
    assert.equal(resolveMode('auto', encoder, 'en', true), 'dense');
    for (const [lang, mode] of Object.entries(measured.languages)) assert.equal(resolveMode('auto', encoder, lang, true), mode, lang);
    assert.equal(resolveMode('auto', encoder, undefined, true), measured.default);
  } finally {
    await encoder.close?.();
  }
});
