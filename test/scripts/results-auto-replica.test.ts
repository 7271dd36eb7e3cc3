import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { EvalReport } from '../../eval/run.js';
import { routedByLanguage } from '../../scripts/results-auto-replica.js';

const report = (mode: string, rr: Record<string, number>) => ({
  config: { mode },
  perQuery: Object.entries(rr).map(([id, value]) => ({ id, lang: id.split('-')[0]!, metrics: { 'MRR@10': value } })),
}) as unknown as EvalReport;

test("routing a seed's per-mode reports by language scores each query as its language's mode did", () => {
  const reports: Record<string, EvalReport> = {
    dense: report('dense', { 'sw-1': 1, 'sw-2': 0.5, 'yo-1': 0.25, 'xx-1': 0.1 }),
    'translate-dense': report('translate-dense', { 'sw-1': 0.5, 'sw-2': 1, 'yo-1': 1, 'xx-1': 0.2 }),
  };
  const routed = routedByLanguage({ languages: { sw: 'dense', yo: 'translate-dense' }, default: 'translate-dense' }, (mode) => reports[mode])!;
  assert.equal(routed.config.mode, 'auto');
  assert.deepEqual(routed.perQuery.map((q) => [q.id, q.metrics['MRR@10']]), [['sw-1', 1], ['sw-2', 0.5], ['yo-1', 1], ['xx-1', 0.2]]);
  // A chosen mode without a report: no routing.
  assert.equal(routedByLanguage({ languages: { sw: 'hybrid' }, default: 'dense' }, (mode) => reports[mode]), undefined);
});
