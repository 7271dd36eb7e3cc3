import assert from 'node:assert/strict';
import { test } from 'node:test';
import { foldLatinDiacritics, normalizeText, segmentWords, stripMarkup, tokenize } from '../../text/normalize.js';

test('stripMarkup removes placeholders, templates, links, tags and accelerators', () => {
  assert.equal(stripMarkup('Open %s files').replace(/\s+/g, ' '), 'Open files');
  assert.equal(stripMarkup('Copied %1$s of %2$d').replace(/\s+/g, ' '), 'Copied of ');
  assert.equal(stripMarkup('Delete $1 pages?').replace(/\s+/g, ' '), 'Delete pages?');
  assert.equal(stripMarkup('{{PLURAL:$1|one page|$1 pages}} left'), 'one page left');
  assert.equal(stripMarkup('See [[Help:Contents|the help]] or [[Main Page]]'), 'See the help or Main Page');
  assert.equal(stripMarkup('<b>Bold</b> text').replace(/\s+/g, ' ').trim(), 'Bold text');
  assert.equal(stripMarkup('_File'), 'File');
  assert.equal(stripMarkup('~Save as'), 'Save as');
  assert.equal(stripMarkup('&Open'), 'Open');
  assert.equal(stripMarkup('rock & roll'), 'rock & roll');
  assert.equal(stripMarkup('file_name'), 'file_name');
  assert.equal(stripMarkup('Tom &amp; Jerry'), 'Tom & Jerry');
  assert.equal(stripMarkup('Hello {name}, you have {0} messages').replace(/\s+/g, ' '), 'Hello , you have messages');
});

test('normalizeText: NFKC, case fold, Latin diacritic folding, whitespace', () => {
  assert.equal(normalizeText('  Ọjọ́   Àìkú  '), 'ojo aiku');
  assert.equal(normalizeText('ＦＵＬＬ width'), 'full width');
  assert.equal(normalizeText('Ƙasar Hausa'), normalizeText('ƙasar hausa'));
  // Non-Latin marks are letters in all but name and must stay.
  assert.equal(foldLatinDiacritics('नमस्ते'), 'नमस्ते');
  assert.equal(normalizeText('ሰላም፡ዓለም።'), 'ሰላም ዓለም');
});

test('segmentWords uses ICU word boundaries, including scripts without spaces', () => {
  assert.deepEqual(segmentWords('ninapenda kusoma, sana!'), ['ninapenda', 'kusoma', 'sana']);
  assert.deepEqual(tokenize('ሰላም፡ዓለም። እንዴት ነህ'), ['ሰላም', 'ዓለም', 'እንዴት', 'ነህ']);
  assert.ok(segmentWords('ສະບາຍດີຂອຍຮັກເຈົ້າ').length >= 3, 'Lao is split into several words');
  assert.deepEqual(tokenize(''), []);
  assert.deepEqual(tokenize('%s %d'), []);
});
