/** mono: two translations of one English string, or two feature-dropout views of one sentence, as positives. */
import type { Rng } from '../../../core/rng.js';
import { contrastViewPairs, type ViewPair } from './view-pairs.js';
import type { StepContext, TrainingTask } from './task.js';

function dropout(ids: Uint32Array, p: number, rng: Rng): Uint32Array {
  if (p <= 0 || ids.length <= 2) return ids;
  const kept = ids.filter(() => rng.next() >= p);
  return kept.length ? kept : ids;
}

function monolingualPair({ config, dataset, rng, adapterOf }: StepContext): ViewPair {
  const useGroups = dataset.translationGroups.length > 0 && (dataset.mono.length === 0 || rng.next() < 0.5);
  if (useGroups) {
    const group = dataset.translationGroups[rng.int(dataset.translationGroups.length)]!;
    const i = rng.int(group.length);
    const j = (i + 1 + rng.int(group.length - 1)) % group.length;
    const a = dataset.train[group[i]!]!;
    const b = dataset.train[group[j]!]!;
    return [{ ids: a.lrl, adapter: adapterOf(a.lang) }, { ids: b.lrl, adapter: adapterOf(b.lang) }];
  }
  const text = dataset.mono[rng.int(dataset.mono.length)]!;
  const p = config.train.dropout;
  return [{ ids: dropout(text.ids, p, rng), adapter: adapterOf(text.lang) }, { ids: dropout(text.ids, p, rng), adapter: adapterOf(text.lang) }];
}

export const monolingualTask: TrainingTask = {
  name: 'mono',
  input: 'own',
  enabled: ({ config, dataset }) => config.train.tasks.mono && (dataset.translationGroups.length > 0 || dataset.mono.length > 0),
  dataSize: (dataset) => dataset.translationGroups.length + dataset.mono.length,
  step: (context, weight) => contrastViewPairs(context, weight, () => monolingualPair(context)),
};
