/**
 * Writes the issue-23 indexing corpus for `tafuta index`: UDHR words of the demo corpus (11 languages) shuffled
 * within each language, one ~300-character passage per document, as `{"id","lang","text"}` JSONL. Deterministic.
 * Run: `node dist/scripts/bench-index-corpus.js <documents> <out.jsonl>`, then
 * `/usr/bin/time -v node dist/bin/tafuta.js index -c bench -i <out.jsonl> -d <fresh dir>`.
 */
import fs from 'node:fs';
import { DEMO_CORPUS } from './bench-common.js';

const [count, out] = process.argv.slice(2);
if (!count || !out) throw new Error('usage: bench-index-corpus <documents> <out.jsonl>');
const docs = fs.readFileSync(DEMO_CORPUS, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { text: string; lang: string });
const byLang = new Map<string, string[]>();
for (const d of docs) byLang.set(d.lang, [...(byLang.get(d.lang) ?? []), ...d.text.split(/\s+/).filter(Boolean)]);
const langs = [...byLang.keys()];
let seed = 12345;
const random = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
const fd = fs.openSync(out, 'w');
let lines: string[] = [];
for (let i = 0; i < Number(count); i++) {
  const lang = langs[i % langs.length]!;
  const pool = byLang.get(lang)!;
  const words: string[] = [];
  for (let length = 0; length < 300; ) {
    const word = pool[Math.floor(random() * pool.length)]!;
    words.push(word);
    length += word.length + 1;
  }
  lines.push(JSON.stringify({ id: `d${i}`, lang, text: words.join(' ') }));
  if (lines.length >= 5000) {
    fs.writeSync(fd, `${lines.join('\n')}\n`);
    lines = [];
  }
}
if (lines.length > 0) fs.writeSync(fd, `${lines.join('\n')}\n`);
fs.closeSync(fd);
