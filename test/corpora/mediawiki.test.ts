import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeBeir } from '../../corpora/bench/beir.js';
import {
  buildMediawikiBench, loadMediawikiMessages, mediawikiDocId, mediawikiGuardStrings, mediawikiSplit,
} from '../../corpora/bench/mediawiki.js';

const sha1First = (key: string): number => parseInt(createHash('sha1').update(key).digest('hex')[0]!, 16);

/** Deterministic message keys of each half, found by the rule itself. */
function keysOfHalf(half: 'dev' | 'test', count: number): string[] {
  const keys: string[] = [];
  for (let i = 0; keys.length < count; i++) {
    const key = `tafuta-msg-${i}`;
    if ((sha1First(key) < 8) === (half === 'dev')) keys.push(key);
  }
  return keys;
}

test('mediawikiSplit: first hex digit of sha1(key) 0–7 is dev, 8–f is test', () => {
  for (const key of ['ooui-toolbar-more', 'edit', 'search', 'mainpage-description', 'tafuta-msg-1']) {
    assert.equal(mediawikiSplit(key), sha1First(key) < 8 ? 'dev' : 'test');
  }
});

test('bench keeps dev-half queries of ≥ 6 words, the whole English corpus, and never a test-half key', async () => {
  const [devKey, devShort, devUntranslated] = keysOfHalf('dev', 3) as [string, string, string];
  const [testKey] = keysOfHalf('test', 1) as [string];
  const root = await mkdtemp(join(tmpdir(), 'mw-'));
  try {
    const i18n = join(root, 'extensions', 'Demo', 'i18n');
    await mkdir(i18n, { recursive: true });
    const en: Record<string, string> = {
      [devKey]: 'This page has been deleted by an administrator',
      [devShort]: 'Delete page',
      [devUntranslated]: 'The quick brown fox jumps over the lazy dog',
      [testKey]: 'Your changes will be visible to everyone once saved',
    };
    const sw: Record<string, string> = {
      [devKey]: 'Ukurasa huu umefutwa na msimamizi wa tovuti hii',
      [devShort]: 'Futa ukurasa',
      [devUntranslated]: 'The quick brown fox jumps over the lazy dog',
      [testKey]: 'Mabadiliko yako yataonekana kwa kila mtu mara yatakapohifadhiwa',
    };
    await writeFile(join(i18n, 'en.json'), JSON.stringify({ '@metadata': { authors: [] }, ...en }));
    await writeFile(join(i18n, 'sw.json'), JSON.stringify(sw));
    await writeFile(join(i18n, 'qqq.json'), JSON.stringify({ [devKey]: 'documentation' }));

    const messages = await loadMediawikiMessages(root, ['sw', 'yo']);
    const bench = buildMediawikiBench(messages);
    assert.equal(bench.corpus.length, 4, 'corpus holds every English message, whatever the split');
    assert.equal(bench.queries.length, 1);
    assert.equal(bench.queries[0]!.lang, 'sw');
    assert.equal(bench.queries[0]!.text, sw[devKey]!);
    assert.deepEqual(bench.qrels.map((q) => q.docId), [mediawikiDocId(en[devKey]!)]);

    const out = join(root, 'out');
    await writeBeir(out, bench);
    const written = (await readFile(join(out, 'queries.jsonl'), 'utf8')) + (await readFile(join(out, 'qrels', 'dev.tsv'), 'utf8'));
    assert.ok(!written.includes(sw[testKey]!), 'test-half LRL text never written');
    assert.ok(!written.includes(testKey) && !written.includes(devKey), 'query ids are opaque');
    assert.ok(!written.includes(mediawikiDocId(en[testKey]!)), 'test-half answer never in dev qrels');

    // The guard still covers the test half (in memory only), so training data cannot leak into it.
    assert.ok(mediawikiGuardStrings(messages).includes(sw[testKey]!));
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});
