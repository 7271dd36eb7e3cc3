import cliProgress from 'cli-progress';
import type { BuildLog } from './types.js';

export interface ProgressEvent {
  phase: string;
  done: number;
  total: number;
  item?: string;
}

export type ProgressFn = (event: ProgressEvent) => void;

/** A bar per phase on a TTY; otherwise a log line at each tenth of a phase. */
export function createProgressDisplay(logger: BuildLog, tty = Boolean(process.stderr.isTTY)): { update: ProgressFn; stop(): void } {
  let bar: cliProgress.SingleBar | null = null;
  let phase = '';
  let lastDecile = -1;
  const stop = (): void => { bar?.stop(); bar = null; };
  const update: ProgressFn = (event) => {
    if (event.phase !== phase) {
      stop();
      phase = event.phase;
      lastDecile = -1;
      if (tty) {
        bar = new cliProgress.SingleBar({ format: `${phase.padEnd(18)} {bar} {value}/{total} {item}`, stream: process.stderr, hideCursor: true },
          cliProgress.Presets.shades_classic);
        bar.start(event.total, 0, { item: '' });
      }
    }
    if (bar) {
      bar.setTotal(event.total);
      bar.update(event.done, { item: event.item ?? '' });
      return;
    }
    const decile = event.total ? Math.floor((10 * event.done) / event.total) : 10;
    if (decile !== lastDecile) {
      lastDecile = decile;
      logger.info(`${phase}: ${event.done}/${event.total}${event.item ? ` (${event.item})` : ''}`);
    }
  };
  return { update, stop };
}
