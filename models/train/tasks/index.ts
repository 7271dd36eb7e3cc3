/** Every training task, in the order a step runs them (the pair-batch tasks first). */
import { crossLingualTask } from './cross-lingual.js';
import { distillationTask } from './distillation.js';
import { languageTask } from './language.js';
import { monolingualTask } from './monolingual.js';
import { morphologyTask } from './morphology.js';
import type { TaskSetup, TrainingTask } from './task.js';

export const TRAINING_TASKS: readonly TrainingTask[] = [crossLingualTask, languageTask, distillationTask, monolingualTask, morphologyTask];

export function enabledTasks(setup: TaskSetup, tasks: readonly TrainingTask[] = TRAINING_TASKS): TrainingTask[] {
  return tasks.filter((task) => task.enabled(setup));
}

export type { StepContext, TaskOutcome, TaskSetup, TeacherVectors, TrainingTask } from './task.js';
