/**
 * Trains the linear language identifier: seeded single-thread Adagrad with sparse updates (only the rows a
 * string touches), word-span augmentation for short queries, int8 quantisation, then the confidence threshold
 * chosen on the held-out slice of the training data — never on a benchmark.
 */
import { sha256Hex } from '../../core/hash.js';
import { createRng, shuffle, type Rng } from '../../core/rng.js';
import { TafutaError } from '../../core/errors.js';
import { parseLangIdConfig, type LangIdConfig } from './config.js';
import { ENGLISH, buildLangIdDataset, type Example, type LangIdDataset } from './data.js';
import { LANGID_FORMAT_VERSION, loadLangIdModel, quantizeLangIdModel, saveLangIdModel, writeLangIdManifest, type LangIdManifest } from './io.js';
import { LENGTH_BUCKETS, balancedAt, chooseThreshold, groupBy, lengthBucket, macro, score, type LengthBucket, type Outcome, type Score, type ThresholdChoice } from './metrics.js';
import { DEFAULT_THRESHOLD_GROUP, createLangIdModel, lossAndGradient, predictIds, thresholdOf, type LangIdModel, type LengthThresholds } from './model.js';
import { allowedLabels } from './script.js';

export interface AdagradState {
  weights: Float32Array;
  bias: Float64Array;
}

export function createAdagradState(model: LangIdModel): AdagradState {
  return { weights: new Float32Array(model.weights.length), bias: new Float64Array(model.bias.length) };
}

/** One sparse Adagrad step on one (weighted) string; returns its loss. */
export function adagradStep(model: LangIdModel, state: AdagradState, ids: ArrayLike<number>, label: number, weight: number, lr: number, eps: number): number {
  const k = model.labels.length;
  const g = lossAndGradient(model, ids, label, weight);
  for (let c = 0; c < k; c++) {
    const d = g.dLogits[c]!;
    state.bias[c]! += d * d;
    model.bias[c]! -= (lr * d) / (Math.sqrt(state.bias[c]!) + eps);
  }
  for (let j = 0; j < g.rows.length; j++) {
    const row = g.rows[j]! * k;
    const s = g.rowScale[j]!;
    for (let c = 0; c < k; c++) {
      const d = s * g.dLogits[c]!;
      if (d === 0) continue;
      state.weights[row + c]! += d * d;
      model.weights[row + c]! -= (lr * d) / (Math.sqrt(state.weights[row + c]!) + eps);
    }
  }
  return g.loss;
}

/** A random run of 1–3 words (shorter than the string) of a multi-word example, or undefined. */
function randomSpan(example: Example, rng: Rng): Uint32Array | undefined {
  const words = example.wordEnds.length;
  if (words < 2) return undefined;
  const length = 1 + rng.int(Math.min(3, words - 1));
  const start = rng.int(words - length + 1);
  const from = start === 0 ? 0 : example.wordEnds[start - 1]!;
  const to = example.wordEnds[start + length - 1]!;
  return to > from ? example.ids.subarray(from, to) : undefined;
}

export interface EpochLog {
  epoch: number;
  loss: number;
  heldOutTop1: number;
  seconds: number;
}

/** Trains a float model in place of a fresh one; deterministic for a given config and dataset. */
export function trainLangIdModel(dataset: Pick<LangIdDataset, 'labels' | 'train' | 'heldOut'> & { scripts?: LangIdDataset['scripts'] }, config: LangIdConfig, log: (message: string) => void = () => {}): { model: LangIdModel; history: EpochLog[] } {
  const model = createLangIdModel(config.features, dataset.labels);
  const state = createAdagradState(model);
  const rng = createRng(config.seed ^ 0x5eed);
  const order = dataset.train.map((_, i) => i);
  const history: EpochLog[] = [];
  const { lr, eps, spanProbability, spanWeight } = config.train;
  for (let epoch = 1; epoch <= config.train.epochs; epoch++) {
    const started = performance.now();
    shuffle(order, rng);
    let loss = 0;
    let weight = 0;
    for (const i of order) {
      const example = dataset.train[i]!;
      loss += adagradStep(model, state, example.ids, example.label, example.weight, lr, eps);
      weight += example.weight;
      if (spanProbability > 0 && rng.next() < spanProbability) {
        const span = randomSpan(example, rng);
        if (span) adagradStep(model, state, span, example.label, example.weight * spanWeight, lr, eps);
      }
    }
    const heldOutTop1 = macro(heldOutPredictions(model, dataset.labels, dataset.heldOut, dataset.scripts)).top1;
    const entry = { epoch, loss: loss / weight, heldOutTop1, seconds: (performance.now() - started) / 1000 };
    history.push(entry);
    log(`langid epoch ${epoch}/${config.train.epochs}: loss ${entry.loss.toFixed(4)}, held-out top-1 (macro) ${heldOutTop1.toFixed(4)}, ${entry.seconds.toFixed(1)} s`);
  }
  return { model, history };
}

export interface HeldOutPrediction extends Outcome {
  top: string;
  probability: number;
  /** Dominant script of the string (for per-script thresholds). */
  script: string | undefined;
}

/** Forced predictions on held-out examples (with the script mask when `scripts` is given). */
export function heldOutPredictions(model: LangIdModel, labels: string[], examples: readonly Example[], scripts?: Record<string, string[]> | undefined): HeldOutPrediction[] {
  const scratch = new Float64Array(labels.length);
  return examples.map((e) => {
    const p = predictIds(model, e.ids, scratch, allowedLabels(labels, scripts, e.script))!;
    return { gold: labels[e.label]!, words: e.wordEnds.length, top: p.lang, probability: p.probability, script: e.script };
  });
}

/** The same predictions answered only at or above the threshold of their script (else the default) and length. */
export function answerAt(predictions: readonly HeldOutPrediction[], thresholds: Pick<Calibration, 'threshold' | 'scriptThresholds' | 'lengthThresholds'>): HeldOutPrediction[] {
  const rule = { ...thresholds, threshold: thresholds.threshold.threshold };
  return predictions.map((p) => ({ ...p, answer: p.probability >= thresholdOf(rule, p.script, () => p.words) ? p.top : undefined }));
}

/** A script, or a length bucket, gets its own threshold only with at least this many held-out strings. */
const MIN_THRESHOLD_STRINGS = 50;

/**
 * Thresholds per dominant script, for scripts the mask restricts to at most half of the labels: after
 * renormalising over the two labels that write Ethiopic (am, ti), a top probability of 0.5 means something else
 * than among the 20 labels that write Latin. Scripts nearly every label writes (Latin) keep the default: their
 * held-out strings include a few stray ones of many languages (Latin-script strings in the Amharic catalogs),
 * which a language-balanced precision would weigh as much as a whole language.
 */
export function chooseScriptThresholds(
  predictions: readonly HeldOutPrediction[],
  labels: readonly string[],
  scripts: Record<string, string[]>,
  targetPrecision: number,
): Record<string, ThresholdChoice & { strings: number }> {
  const out: Record<string, ThresholdChoice & { strings: number }> = {};
  const restricts = (script: string | undefined): boolean => {
    const allowed = allowedLabels(labels, scripts, script);
    return allowed !== undefined && allowed.reduce((a, b) => a + b, 0) <= labels.length / 2;
  };
  const byScript = groupBy(predictions.filter((p) => restricts(p.script)), (p) => p.script!);
  for (const [script, list] of [...byScript.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (list.length >= MIN_THRESHOLD_STRINGS) out[script] = { ...chooseThreshold(list, targetPrecision), strings: list.length };
  }
  return out;
}

export interface LengthThresholdChoice extends ThresholdChoice {
  strings: number;
  /** The bucket's own choice, before the floor of its group's length-blind threshold. */
  chosen: number;
}

/**
 * Thresholds per length bucket, chosen like the length-blind ones but on the held-out strings of one bucket: the
 * default group's on all strings of that length, a script group's on its own. A bucket never goes below its
 * group's length-blind threshold: the held-out strings are in-domain UI text, where long strings are nearly
 * always right, and that is no reason to answer more often on out-of-domain prose; the buckets only tighten.
 */
export function chooseLengthThresholds(
  predictions: readonly HeldOutPrediction[],
  lengthBlind: { threshold: number; scriptThresholds: Record<string, number> },
  targetPrecision: number,
): Record<string, Partial<Record<LengthBucket, LengthThresholdChoice>>> {
  const groups: Array<[string, readonly HeldOutPrediction[], number]> = [
    [DEFAULT_THRESHOLD_GROUP, predictions, lengthBlind.threshold],
    ...Object.entries(lengthBlind.scriptThresholds).map(([script, threshold]): [string, HeldOutPrediction[], number] => [script, predictions.filter((p) => p.script === script), threshold]),
  ];
  const out: Record<string, Partial<Record<LengthBucket, LengthThresholdChoice>>> = {};
  for (const [group, list, floor] of groups) {
    const byBucket = groupBy(list, (p) => lengthBucket(p.words));
    for (const bucket of LENGTH_BUCKETS) {
      const inBucket = byBucket.get(bucket) ?? [];
      if (inBucket.length < MIN_THRESHOLD_STRINGS) continue;
      const chosen = chooseThreshold(inBucket, targetPrecision);
      const threshold = Math.max(chosen.threshold, floor);
      const { precision, coverage } = threshold === chosen.threshold ? chosen : balancedAt(inBucket, threshold);
      (out[group] ??= {})[bucket] = { threshold, targetPrecision, precision, coverage, reached: precision >= targetPrecision, strings: inBucket.length, chosen: chosen.threshold };
    }
  }
  return out;
}

export interface Calibration {
  threshold: ThresholdChoice;
  perScript: Record<string, ThresholdChoice & { strings: number }>;
  scriptThresholds: Record<string, number>;
  perLength: Record<string, Partial<Record<LengthBucket, LengthThresholdChoice>>>;
  lengthThresholds: LengthThresholds;
}

/** Every threshold of the identifier, from its forced predictions on the held-out slice. */
export function calibrate(predictions: readonly HeldOutPrediction[], labels: readonly string[], scripts: Record<string, string[]> | undefined, targetPrecision: number): Calibration {
  const threshold = chooseThreshold(predictions, targetPrecision);
  const perScript = scripts ? chooseScriptThresholds(predictions, labels, scripts, targetPrecision) : {};
  const scriptThresholds = Object.fromEntries(Object.entries(perScript).map(([script, choice]) => [script, choice.threshold]));
  const perLength = chooseLengthThresholds(predictions, { threshold: threshold.threshold, scriptThresholds }, targetPrecision);
  const lengthThresholds = Object.fromEntries(
    Object.entries(perLength).map(([group, buckets]) => [group, Object.fromEntries(Object.entries(buckets).map(([bucket, choice]) => [bucket, choice.threshold]))]),
  );
  return { threshold, perScript, scriptThresholds, perLength, lengthThresholds };
}

/** The manifest fields a calibration sets (thresholds, how they were chosen, held-out scores at them). */
export function calibrationFields(calibration: Calibration, predictions: readonly HeldOutPrediction[], scripts: Record<string, string[]> | undefined) {
  const { threshold, perScript, scriptThresholds, perLength, lengthThresholds } = calibration;
  return {
    threshold: threshold.threshold,
    scriptThresholds: scripts ? scriptThresholds : undefined,
    lengthThresholds,
    thresholdSelection: { ...threshold, on: 'held-out slice of the training data (language-balanced)', perScript, perLength },
    heldOutAtThresholds: heldOutReport(answerAt(predictions, calibration)),
  };
}

export interface HeldOutReport {
  macro: Score;
  micro: Score;
  perLang: Record<string, Score>;
  /** Macro over languages, per length bucket. */
  perLength: Record<string, Score>;
}

export function heldOutReport(outcomes: readonly Outcome[]): HeldOutReport {
  const perLength: Record<string, Score> = {};
  for (const bucket of LENGTH_BUCKETS) perLength[bucket] = macro(outcomes.filter((o) => lengthBucket(o.words) === bucket));
  return {
    macro: macro(outcomes),
    micro: score(outcomes),
    perLang: Object.fromEntries([...groupBy(outcomes, (o) => o.gold).entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([lang, list]) => [lang, score(list)])),
    perLength,
  };
}

export interface LangIdTrainingResult {
  manifest: LangIdManifest;
  threshold: ThresholdChoice;
  seconds: number;
}

/** Reads the data, trains, quantises, picks the threshold on the held-out slice and writes `outDir`. */
export function runLangIdTraining(options: { config: LangIdConfig; outDir: string; log?: (message: string) => void }): LangIdTrainingResult {
  const { config, outDir } = options;
  const log = options.log ?? (() => {});
  const started = performance.now();
  const dataset = buildLangIdDataset(config);
  log(`langid data: ${dataset.train.length} training strings, ${dataset.heldOut.length} held out, labels ${dataset.labels.join(' ')}`);
  const { model, history } = trainLangIdModel(dataset, config, log);
  const floatPredictions = heldOutPredictions(model, dataset.labels, dataset.heldOut, dataset.scripts);
  const quantized = quantizeLangIdModel(model);
  const predictions = heldOutPredictions(quantized.model, dataset.labels, dataset.heldOut, dataset.scripts);
  const unmasked = dataset.scripts ? macro(heldOutPredictions(quantized.model, dataset.labels, dataset.heldOut)).top1 : undefined;
  const calibration = calibrate(predictions, dataset.labels, dataset.scripts, config.threshold.targetPrecision);
  const { heldOutAtThresholds, ...thresholds } = calibrationFields(calibration, predictions, dataset.scripts);
  const seconds = (performance.now() - started) / 1000;
  const manifest = saveLangIdModel(outDir, quantized, {
    name: config.name,
    description: describeModel(config, dataset.labels.length, dataset.scripts !== undefined),
    ...thresholds,
    scripts: dataset.scripts,
    trainedAt: new Date().toISOString(),
    trainingSeconds: Number(seconds.toFixed(1)),
    config,
    data: {
      manifestSha256: sha256Hex(JSON.stringify(dataset.manifest.files)),
      ...dataset.manifest,
    },
    heldOut: {
      strings: dataset.heldOut.length,
      float32Top1Macro: macro(floatPredictions).top1,
      withoutScriptMaskTop1Macro: unmasked,
      ...heldOutAtThresholds,
    },
    history,
  });
  log(`langid: ${describeCalibration(calibration)}; wrote ${outDir} in ${seconds.toFixed(1)} s`);
  return { manifest, threshold: calibration.threshold, seconds };
}

function describeModel(config: LangIdConfig, labels: number, scriptMask: boolean): string {
  return (
    `Linear (softmax) language identifier over hashed word + char ${config.features.minN}-${config.features.maxN}-gram features ` +
    `(${config.features.buckets} buckets), ${labels} labels, int8 weights${scriptMask ? ', script mask learned from the training strings' : ''}; ` +
    "answers only at p ≥ the threshold of the text's script and length."
  );
}

function describeCalibration(calibration: Calibration): string {
  const { threshold } = calibration;
  return (
    `threshold ${threshold.threshold} (held-out balanced precision ${threshold.precision.toFixed(3)}, coverage ${threshold.coverage.toFixed(3)}), ` +
    `per script ${JSON.stringify(calibration.scriptThresholds)}, per length ${JSON.stringify(calibration.lengthThresholds)}`
  );
}

/**
 * Chooses every threshold of a trained identifier again and rewrites its manifest; the weights stay as they are.
 * The held-out slice is rebuilt from the current data with the model's own config and labels. A string is held
 * out by the hash of its normalised text, so it was held out when the model was trained too, even if the data
 * changed since; the recorded data manifest tells.
 */
export function recalibrateLangIdModel(dir: string, log: (message: string) => void = () => {}): { manifest: LangIdManifest; calibration: Calibration } {
  const { quantized, manifest } = loadLangIdModel(dir);
  const { model } = quantized;
  const trained = parseLangIdConfig(manifest.config);
  const config = { ...trained, data: { ...trained.data, langs: model.labels.filter((l) => l !== ENGLISH) } };
  const dataset = buildLangIdDataset(config);
  if (dataset.labels.join() !== model.labels.join()) throw new TafutaError('INPUT_FILE', `${dir}: labels ${model.labels.join(' ')}, the data gives ${dataset.labels.join(' ')}`);
  const predictions = heldOutPredictions(model, model.labels, dataset.heldOut, manifest.scripts);
  const calibration = calibrate(predictions, model.labels, manifest.scripts, config.threshold.targetPrecision);
  const { heldOutAtThresholds, ...thresholds } = calibrationFields(calibration, predictions, manifest.scripts);
  const updated: LangIdManifest = {
    ...manifest,
    formatVersion: LANGID_FORMAT_VERSION,
    description: describeModel(config, model.labels.length, manifest.scripts !== undefined),
    ...thresholds,
    calibratedAt: new Date().toISOString(),
    calibrationData: {
      manifestSha256: sha256Hex(JSON.stringify(dataset.manifest.files)),
      files: dataset.manifest.files,
    },
    heldOut: { ...(manifest.heldOut as object), strings: dataset.heldOut.length, ...heldOutAtThresholds },
  };
  writeLangIdManifest(dir, updated);
  log(`langid: recalibrated ${dir} on ${dataset.heldOut.length} held-out strings: ${describeCalibration(calibration)}`);
  return { manifest: updated, calibration };
}
