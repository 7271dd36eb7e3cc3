import { test } from 'node:test';
import assert from 'node:assert/strict';
import { flattenIcuMessage, pairPaks, parsePak } from '../../corpora/sources/pak.js';

/** Writes a data pack the way Chromium's data_pack.cc does. */
export function writePak(version: 4 | 5, encoding: number, resources: Array<[number, string]>, aliases: Array<[number, number]> = []): Buffer {
  const bodies = resources.map(([, text]) => (encoding === 2 ? Buffer.from(text, 'utf16le') : Buffer.from(text, 'utf8')));
  const headerSize = version === 4 ? 9 : 12;
  const tableSize = (resources.length + 1) * 6 + aliases.length * 4;
  const header = Buffer.alloc(headerSize);
  header.writeUInt32LE(version, 0);
  if (version === 4) {
    header.writeUInt32LE(resources.length, 4);
    header.writeUInt8(encoding, 8);
  } else {
    header.writeUInt8(encoding, 4);
    header.writeUInt16LE(resources.length, 8);
    header.writeUInt16LE(aliases.length, 10);
  }
  const table = Buffer.alloc(tableSize);
  let offset = headerSize + tableSize;
  resources.forEach(([id], i) => {
    table.writeUInt16LE(id, i * 6);
    table.writeUInt32LE(offset, i * 6 + 2);
    offset += bodies[i]!.length;
  });
  table.writeUInt16LE(0, resources.length * 6);
  table.writeUInt32LE(offset, resources.length * 6 + 2);
  aliases.forEach(([id, index], i) => {
    table.writeUInt16LE(id, (resources.length + 1) * 6 + i * 4);
    table.writeUInt16LE(index, (resources.length + 1) * 6 + i * 4 + 2);
  });
  return Buffer.concat([header, table, ...bodies]);
}

test('parsePak reads v5 UTF-8 packs with aliases', () => {
  const pak = parsePak(writePak(5, 1, [[10, 'Open'], [11, 'Close tab']], [[12, 0]]));
  assert.equal(pak.version, 5);
  assert.deepEqual([...pak.strings], [[10, 'Open'], [11, 'Close tab'], [12, 'Open']]);
});

test('parsePak reads v4 UTF-16 packs', () => {
  const pak = parsePak(writePak(4, 2, [[7, 'ፋይል ክፈት']]));
  assert.equal(pak.version, 4);
  assert.equal(pak.strings.get(7), 'ፋይል ክፈት');
});

test('parsePak rejects other versions', () => {
  const buf = Buffer.alloc(16);
  buf.writeUInt32LE(3, 0);
  assert.throws(() => parsePak(buf), /version 3/);
});

test('pairPaks pairs by resource id and collects LRL strings without English', () => {
  const en = parsePak(writePak(5, 1, [[1, 'Open file'], [2, 'Close']]));
  const sw = parsePak(writePak(5, 1, [[1, 'Fungua faili'], [3, 'Kiswahili pekee']]));
  const { pairs, missingEnglish } = pairPaks(en, sw, { lang: 'sw', source: 'chromium', pkg: 'chromium-l10n' });
  assert.deepEqual(pairs, [{ en: 'Open file', text: 'Fungua faili', lang: 'sw', source: 'chromium', pkg: 'chromium-l10n' }]);
  assert.deepEqual(missingEnglish, ['Kiswahili pekee']);
});

test('flattenIcuMessage keeps the other branch of plurals and leaves plain text alone', () => {
  assert.equal(flattenIcuMessage('Close {COUNT, plural, =1 {1 tab} other {# tabs}} now'), 'Close   tabs now');
  assert.equal(flattenIcuMessage('{0,plural, =1{Siku moja}other{Siku #}}'), 'Siku  ');
  assert.equal(flattenIcuMessage('Hello {NAME}'), 'Hello {NAME}');
});
