/**
 * Plots of training histories as dependency-free SVG line charts, for docs/cmtp.md:
 *   docs/training/losses.svg      per-task loss (running mean) over steps, one panel per model
 *   docs/training/weights.svg     per-task weight over steps, one panel per model (dynamic vs static weighting)
 *   docs/training/validation.svg  validation MRR@10 (held-out pairs) over steps, one line per model
 * Each model directory's model.json carries the history (`tafuta train` writes it; training-log.json is the same
 * list). Panels of one figure share the y axis, so they compare at a glance.
 *
 * Run: `node dist/scripts/training-plots.js [--out docs/training] [modelDir ...]`
 * (default: models/cmtp-base .cache/ablations/abl-4-full .cache/ablations/abl-9-static, those that exist).
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export type Point = readonly [number, number];

export interface Series {
  name: string;
  color: string;
  points: Point[];
}

export interface Panel {
  title: string;
  series: Series[];
  /** x axis runs from 0 to here (default: the last point). */
  xMax?: number;
}

export interface FigureOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  yScale: 'linear' | 'log';
  panels: Panel[];
  legend: Array<{ name: string; color: string }>;
  /** Most points drawn per series (default 300). */
  maxPoints?: number;
  panelWidth?: number;
  panelHeight?: number;
}

/** At most `max` points, evenly spaced by index; the first and last points are always kept. */
export function downsample<T>(points: readonly T[], max: number): T[] {
  if (points.length <= max) return [...points];
  if (max < 2) return [points[0]!, points[points.length - 1]!].slice(0, Math.max(1, max));
  return Array.from({ length: max }, (_, i) => points[Math.round((i * (points.length - 1)) / (max - 1))]!);
}

/** Round tick values (1, 2, 5 × 10^k) covering [min, max]. */
export function linearTicks(min: number, max: number, count = 5): number[] {
  if (!(max > min)) return [min];
  const raw = (max - min) / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= raw * (1 - 1e-9))!;
  const ticks: number[] = [];
  for (let t = Math.ceil(min / step - 1e-9) * step; t <= max + step * 1e-9; t += step) ticks.push(Number(t.toPrecision(12)));
  return ticks;
}

/** Powers of ten in [min, max] (with 2× and 5× steps when the range spans less than three decades). */
export function logTicks(min: number, max: number): number[] {
  const ticks: number[] = [];
  const dense = Math.log10(max / min) < 3;
  for (let e = Math.floor(Math.log10(min)); e <= Math.ceil(Math.log10(max)); e++) {
    for (const m of dense ? [1, 2, 5] : [1]) {
      const t = Number((m * 10 ** e).toPrecision(12));
      if (t >= min * (1 - 1e-9) && t <= max * (1 + 1e-9)) ticks.push(t);
    }
  }
  return ticks;
}

function formatTick(v: number): string {
  if (Math.abs(v) >= 1000) return `${Number((v / 1000).toPrecision(3))}k`;
  return String(Number(v.toPrecision(3)));
}

const escapeXml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const r1 = (v: number) => Math.round(v * 10) / 10;

/** An SVG figure: a title, a legend, and panels side by side sharing one y axis. One <path> per drawn series. */
export function renderFigure(options: FigureOptions): string {
  const { panels, yScale } = options;
  const maxPoints = options.maxPoints ?? 300;
  const pw = options.panelWidth ?? 300;
  const ph = options.panelHeight ?? 220;
  const margin = { left: 52, right: 12, top: 22, bottom: 38 };
  const header = 46;
  const width = panels.length * pw;
  const height = header + ph;

  const values = panels.flatMap((p) => p.series.flatMap((s) => s.points.map(([, y]) => y))).filter((y) => Number.isFinite(y) && (yScale === 'linear' || y > 0));
  let yMin = values.length ? Math.min(...values) : 0;
  let yMax = values.length ? Math.max(...values) : 1;
  if (yScale === 'log') {
    yMin = 10 ** Math.floor(Math.log10(yMin || 1e-3));
    yMax = 10 ** Math.ceil(Math.log10(yMax || 1));
    if (yMax <= yMin) yMax = yMin * 10;
  } else {
    if (yMax <= yMin) yMax = yMin + 1;
    const ticks = linearTicks(yMin, yMax);
    const step = ticks.length > 1 ? ticks[1]! - ticks[0]! : 1;
    yMin = Math.floor(yMin / step + 1e-9) * step; // whole tick steps, so no line runs along an edge
    yMax = Math.ceil(yMax / step - 1e-9) * step;
  }
  const yTicks = yScale === 'log' ? logTicks(yMin, yMax) : linearTicks(yMin, yMax);
  const innerH = ph - margin.top - margin.bottom;
  const innerW = pw - margin.left - margin.right;
  const yPos = (y: number) =>
    header + margin.top + innerH * (1 - (yScale === 'log' ? Math.log10(y / yMin) / Math.log10(yMax / yMin) : (y - yMin) / (yMax - yMin)));

  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
    `<text x="${width / 2}" y="16" text-anchor="middle" font-size="13" font-weight="bold">${escapeXml(options.title)}</text>`,
  ];
  // Legend: one row, centred.
  const itemWidth = (name: string) => 40 + name.length * 6.6; // line, gap, text (≈ 6.6 px per character at 11 px)
  let lx = Math.max(4, (width - options.legend.reduce((s, l) => s + itemWidth(l.name), 0)) / 2);
  for (const item of options.legend) {
    out.push(`<line x1="${r1(lx)}" y1="32" x2="${r1(lx + 18)}" y2="32" stroke="${item.color}" stroke-width="2.5"/>`);
    out.push(`<text x="${r1(lx + 22)}" y="36">${escapeXml(item.name)}</text>`);
    lx += itemWidth(item.name);
  }
  out.push(
    `<text transform="translate(12 ${r1(header + margin.top + innerH / 2)}) rotate(-90)" text-anchor="middle">${escapeXml(options.yLabel)}</text>`,
  );

  panels.forEach((panel, i) => {
    const x0 = i * pw + margin.left;
    const xs = panel.series.flatMap((s) => s.points.map(([x]) => x));
    const xMax = panel.xMax ?? (xs.length ? Math.max(...xs) : 1);
    const xTicks = linearTicks(0, xMax, 4);
    const xPos = (x: number) => x0 + (innerW * x) / (xMax || 1);
    const top = header + margin.top;
    const bottom = top + innerH;
    out.push(`<g>`);
    if (panel.title) out.push(`<text x="${r1(x0 + innerW / 2)}" y="${header + 14}" text-anchor="middle" font-weight="bold">${escapeXml(panel.title)}</text>`);
    for (const t of yTicks) {
      const y = r1(yPos(t));
      out.push(`<line x1="${x0}" y1="${y}" x2="${x0 + innerW}" y2="${y}" stroke="#e4e4e4"/>`);
      out.push(`<text x="${x0 - 4}" y="${r1(y + 3.5)}" text-anchor="end">${formatTick(t)}</text>`);
    }
    for (const t of xTicks) {
      const x = r1(xPos(t));
      out.push(`<line x1="${x}" y1="${bottom}" x2="${x}" y2="${bottom + 4}" stroke="#333"/>`);
      out.push(`<text x="${x}" y="${bottom + 15}" text-anchor="middle">${formatTick(t)}</text>`);
    }
    out.push(`<line x1="${x0}" y1="${top}" x2="${x0}" y2="${bottom}" stroke="#333"/>`);
    out.push(`<line x1="${x0}" y1="${bottom}" x2="${x0 + innerW}" y2="${bottom}" stroke="#333"/>`);
    out.push(`<text x="${r1(x0 + innerW / 2)}" y="${bottom + 30}" text-anchor="middle">${escapeXml(options.xLabel)}</text>`);
    for (const series of panel.series) {
      const points = downsample(series.points.filter(([, y]) => Number.isFinite(y) && (yScale === 'linear' || y > 0)), maxPoints);
      if (!points.length) continue;
      const d = points.map(([x, y], k) => `${k ? 'L' : 'M'}${r1(xPos(x))} ${r1(yPos(y))}`).join(' ');
      out.push(`<path d="${d}" fill="none" stroke="${series.color}" stroke-width="1.6"><title>${escapeXml(`${panel.title}: ${series.name}`)}</title></path>`);
      // Sparse histories (a log entry every evalEvery steps) get markers so single points stay visible.
      if (points.length <= 30) for (const [x, y] of points) out.push(`<circle cx="${r1(xPos(x))}" cy="${r1(yPos(y))}" r="2.2" fill="${series.color}"/>`);
    }
    out.push(`</g>`);
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}

// --- training histories ---

const TASKS = ['cl', 'lang', 'cla', 'mono', 'morph'] as const;
type Task = (typeof TASKS)[number];
export const TASK_COLORS: Record<Task, string> = { cl: '#1f77b4', lang: '#ff7f0e', cla: '#2ca02c', mono: '#d62728', morph: '#9467bd' };
const TASK_LABELS: Record<Task, string> = { cl: 'cl (contrastive)', lang: 'lang (language)', cla: 'cla (distillation)', mono: 'mono', morph: 'morph' };
const RUN_COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22'];

export interface HistoryEntry {
  step: number;
  losses: Partial<Record<Task, number>>;
  weights: Partial<Record<Task, number>>;
  validation?: { average: number };
}

export interface TrainingRun {
  name: string;
  weighting: string;
  steps: number;
  history: HistoryEntry[];
  /** Validation after the last step (model.json `validation`). */
  finalValidation?: number;
}

/** A model directory's history: model.json (`history`), else training-log.json. */
export function readTrainingRun(dir: string): TrainingRun {
  const manifestFile = path.join(dir, 'model.json');
  const manifest = fs.existsSync(manifestFile) ? (JSON.parse(fs.readFileSync(manifestFile, 'utf8')) as Record<string, any>) : {};
  const logFile = path.join(dir, 'training-log.json');
  const history = (manifest.history ?? (fs.existsSync(logFile) ? JSON.parse(fs.readFileSync(logFile, 'utf8')) : undefined)) as HistoryEntry[] | undefined;
  if (!history?.length) throw new Error(`${dir}: no training history (model.json "history" or training-log.json)`);
  return {
    name: manifest.name ?? path.basename(path.resolve(dir)),
    weighting: manifest.config?.train?.weighting ?? 'unknown',
    steps: manifest.steps ?? history.at(-1)!.step,
    history,
    ...(typeof manifest.validation?.average === 'number' ? { finalValidation: manifest.validation.average } : {}),
  };
}

/** One series per task that the run trained (a task whose weight is 0 throughout was not in the run). */
export function taskSeries(run: TrainingRun, field: 'losses' | 'weights'): Series[] {
  const active = TASKS.filter((t) => run.history.some((e) => (e.weights[t] ?? 0) > 0 || e.losses[t] !== undefined));
  return active
    .map((t) => ({
      name: TASK_LABELS[t],
      color: TASK_COLORS[t],
      points: run.history.filter((e) => e[field][t] !== undefined).map((e): Point => [e.step, e[field][t]!]),
    }))
    .filter((s) => s.points.length > 0);
}

/** Validation MRR@10 over steps, closed by the final validation when the history stops short of the last step. */
export function validationSeries(run: TrainingRun, color: string): Series {
  const points = run.history.filter((e) => e.validation).map((e): Point => [e.step, e.validation!.average]);
  if (run.finalValidation !== undefined && (points.at(-1)?.[0] ?? -1) < run.steps) points.push([run.steps, run.finalValidation]);
  return { name: run.name, color, points };
}

const panelTitle = (run: TrainingRun) => `${run.name} (${run.weighting} weights)`;

export function trainingFigures(runs: TrainingRun[]): Record<'losses' | 'weights' | 'validation', string> {
  const usedTasks = TASKS.filter((t) => runs.some((r) => taskSeries(r, 'losses').some((s) => s.name === TASK_LABELS[t])));
  const legend = usedTasks.map((t) => ({ name: TASK_LABELS[t], color: TASK_COLORS[t] }));
  const validation = runs.map((r, i) => validationSeries(r, RUN_COLORS[i % RUN_COLORS.length]!));
  return {
    losses: renderFigure({
      title: 'Per-task training loss (running mean)',
      xLabel: 'step',
      yLabel: 'loss (log scale)',
      yScale: 'log',
      legend,
      panels: runs.map((r) => ({ title: panelTitle(r), series: taskSeries(r, 'losses'), xMax: r.steps })),
    }),
    weights: renderFigure({
      title: 'Per-task weight (static: every task 1, lines coincide)',
      xLabel: 'step',
      yLabel: 'task weight (log scale)',
      yScale: 'log',
      legend,
      panels: runs.map((r) => ({ title: panelTitle(r), series: taskSeries(r, 'weights'), xMax: r.steps })),
    }),
    validation: renderFigure({
      title: 'Validation MRR@10 on held-out pairs',
      xLabel: 'step',
      yLabel: 'MRR@10 (macro over languages)',
      yScale: 'linear',
      legend: validation.map((s) => ({ name: s.name, color: s.color })),
      panels: [{ title: '', series: validation, xMax: Math.max(...runs.map((r) => r.steps)) }],
      panelWidth: 460,
    }),
  };
}

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DEFAULT_RUNS = ['models/cmtp-base', '.cache/ablations/abl-4-full', '.cache/ablations/abl-9-static'];

function main(argv: string[]): void {
  let outDir = path.join(ROOT, 'docs', 'training');
  const dirs: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--out') outDir = path.resolve(argv[++i] ?? '');
    else dirs.push(path.resolve(argv[i]!));
  }
  if (!dirs.length) {
    for (const d of DEFAULT_RUNS.map((d) => path.join(ROOT, d))) {
      if (fs.existsSync(path.join(d, 'model.json'))) dirs.push(d);
      else process.stderr.write(`skipping ${path.relative(ROOT, d)}: not trained\n`);
    }
  }
  if (!dirs.length) throw new Error('no trained model directories to plot');
  const figures = trainingFigures(dirs.map(readTrainingRun));
  fs.mkdirSync(outDir, { recursive: true });
  for (const [name, svg] of Object.entries(figures)) {
    const file = path.join(outDir, `${name}.svg`);
    fs.writeFileSync(file, svg);
    process.stdout.write(`wrote ${path.relative(process.cwd(), file)} (${(svg.length / 1024).toFixed(1)} KiB)\n`);
  }
}

const isMain = process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) main(process.argv.slice(2));
