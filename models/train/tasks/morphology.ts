/** morph: two inflected forms of one stem as positives. */
import { contrastViewPairs } from './view-pairs.js';
import type { TrainingTask } from './task.js';

export const morphologyTask: TrainingTask = {
  name: 'morph',
  input: 'own',
  enabled: ({ config, dataset }) => config.train.tasks.morph && dataset.morph.length > 0,
  dataSize: (dataset) => dataset.morph.length,
  step: (context, weight) =>
    contrastViewPairs(context, weight, () => {
      const { dataset, rng, adapterOf } = context;
      const group = dataset.morph[rng.int(dataset.morph.length)]!;
      const i = rng.int(group.forms.length);
      const j = (i + 1 + rng.int(group.forms.length - 1)) % group.forms.length;
      return [{ ids: group.forms[i]!, adapter: adapterOf(group.lang) }, { ids: group.forms[j]!, adapter: adapterOf(group.lang) }];
    }),
};
