/** The shipped identifier (models/langid-base) on words no language owns: loanwords and names. */
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { loadLanguageIdentifier } from '../../../models/langid/io.js';

const SHIPPED = fileURLToPath(new URL('../../../../models/langid-base', import.meta.url));
const identifier = loadLanguageIdentifier(SHIPPED);

test('shipped identifier: one-word loanwords and names come back unsure or English, not as some LRL', () => {
  const shared = ['malaria', 'covid', 'internet', 'hospital', 'Nairobi', 'radio', 'taxi', 'hotel', 'pizza', 'Google', 'WhatsApp', 'coronavirus'];
  const guessed = shared.map((word) => [word, identifier.identify(word)?.lang] as const).filter(([, lang]) => lang !== undefined && lang !== 'en');
  assert.deepEqual(guessed, []);
});

test('shipped identifier: short queries that are plainly one language are still answered', () => {
  assert.equal(identifier.identify('maji')?.lang, 'sw');
  assert.equal(identifier.identify('habari yako')?.lang, 'sw');
  assert.equal(identifier.identify('water')?.lang, 'en');
});
