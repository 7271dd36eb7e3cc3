/** A tiny training directory and benchmark for the language-identifier data, CLI and runtime tests. */
import fs from 'node:fs';
import path from 'node:path';
import { tempDir } from '../../helpers/engine.js';
import { syntheticStrings } from './synthetic.js';

const ENGLISH_WORDS = ['open', 'the', 'file', 'save', 'settings', 'window', 'new', 'close', 'print', 'help'];

/** data/train-like files for the synthetic languages (English side: short English phrases) and a bench dir. */
export function writeFixtureData(): { root: string; trainDir: string; monoDir: string; benchDir: string } {
  const root = tempDir('tafuta-langid-');
  const trainDir = path.join(root, 'train');
  const monoDir = path.join(root, 'mono');
  // Named like a benchmark whose corpus is English, so the eval also scores an English string.
  const benchDir = path.join(root, 'bench', 'udhr');
  for (const dir of [trainDir, monoDir, benchDir]) fs.mkdirSync(dir, { recursive: true });
  const strings = syntheticStrings(120, 21);
  let i = 0;
  const english = (): string => Array.from({ length: 1 + (i % 3) }, (_, j) => ENGLISH_WORDS[(i * 7 + j * 3) % ENGLISH_WORDS.length]!).join(' ');
  for (const lang of ['aa', 'bb', 'cc']) {
    const lines = strings.filter((s) => s.lang === lang).map((s) => JSON.stringify({ en: english(), text: s.text, lang, source: 'fixture', pkg: String(i++) }));
    lines.push(JSON.stringify({ en: 'Open file', text: 'Open file', lang, source: 'fixture' })); // untranslated
    fs.writeFileSync(path.join(trainDir, `${lang}.jsonl`), `${lines.join('\n')}\n`);
  }
  fs.writeFileSync(path.join(monoDir, 'aa.jsonl'), `${JSON.stringify({ text: 'kamata nala tama kala', lang: 'aa' })}\n`);
  const queries = syntheticStrings(20, 99).map((s, n) => JSON.stringify({ _id: `q${n}`, text: s.text, lang: s.lang }));
  fs.writeFileSync(path.join(benchDir, 'queries.jsonl'), `${queries.join('\n')}\n`);
  fs.writeFileSync(path.join(benchDir, 'corpus.jsonl'), `${JSON.stringify({ _id: 'd1', title: '', text: 'save the file' })}\n`);
  return { root, trainDir, monoDir, benchDir: path.dirname(benchDir) };
}
