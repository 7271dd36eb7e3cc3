import { test } from 'node:test';
import assert from 'node:assert/strict';
import { countVerdict, formatSummary } from '../../corpora/stats.js';
import type { StatsTable } from '../../corpora/stats.js';
import type { Manifest, Pair } from '../../corpora/types.js';

test('countVerdict tallies raw, kept, short and drops by reason; formatSummary renders a table', () => {
  const stats: StatsTable = {};
  const pair: Pair = { en: 'Cancel', text: 'Ghairi', lang: 'sw', source: 'gettext', pkg: 'x', short: true };
  countVerdict(stats, 'train/gettext', 'sw', { keep: true, record: pair });
  countVerdict(stats, 'train/gettext', 'sw', { keep: false, reason: 'leak' });
  countVerdict(stats, 'train/gettext', 'sw', { keep: false, reason: 'duplicate' });
  const s = stats['train/gettext']!['sw']!;
  assert.deepEqual([s.raw, s.kept, s.short, s.dropped.leak, s.dropped.duplicate, s.dropped.empty], [3, 1, 1, 1, 1, 0]);

  const manifest: Manifest = {
    formatVersion: 1, createdAt: '', wallTimeMs: 1500, cacheDir: '', outDir: '', langs: ['sw'], sources: [],
    packages: [{ name: 'gone', kind: 'deb', version: null, status: 'failed', error: 'E: Unable to locate package gone' }],
    stats, bench: { udhr: { corpus: 30, queries: { sw: 30 }, qrels: 30 } }, outputs: [], errors: [],
  };
  const table = formatSummary(manifest);
  assert.match(table, /train\/gettext\s+sw\s+3\s+1\s+1/);
  assert.match(table, /bench udhr: corpus 30, qrels 30, queries: sw 30/);
  assert.match(table, /failed packages: gone/);
});
