/**
 * stderr on a terminal: readable log lines (pino-pretty) and at most one progress bar, which never interleave —
 * while a bar shows, log lines are handed to it and printed above it. Off a terminal logs stay JSON lines.
 */
import { Writable } from 'node:stream';
import cliProgress from 'cli-progress';
import { pino } from 'pino';
import pretty from 'pino-pretty';
import type { Progress } from '../core/cli.js';
import { TafutaError } from '../core/errors.js';

export type LogFormat = 'json' | 'pretty';

export interface Terminal {
  /** Where log lines go; `format` defaults to pretty on a TTY, JSON elsewhere. */
  logDestination(format?: LogFormat): pino.DestinationStream;
  /** A progress bar; log lines written meanwhile appear above it. */
  startProgress(format: string, initialPayload?: Record<string, unknown>): Progress;
}

export function createTerminal(stream: NodeJS.WritableStream & { isTTY?: boolean; fd?: number }): Terminal {
  let activeBars: cliProgress.MultiBar | undefined;
  const aboveProgress = new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      if (activeBars) activeBars.log(String(chunk));
      else stream.write(chunk);
      done();
    },
  });
  return {
    logDestination(format = stream.isTTY ? 'pretty' : 'json') {
      if (format === 'json') return stream.fd !== undefined ? pino.destination(stream.fd) : aboveProgress;
      return pretty({ destination: aboveProgress, sync: true, colorize: stream.isTTY === true, translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname' });
    },
    startProgress(format, initialPayload = {}) {
      const bars = new cliProgress.MultiBar({ format, stream, hideCursor: true, clearOnComplete: false }, cliProgress.Presets.shades_classic);
      const bar = bars.create(0, 0, initialPayload);
      activeBars = bars;
      return {
        update(value, total, payload) {
          if (bar.getTotal() !== total) bar.setTotal(total);
          bar.update(value, payload);
        },
        stop() {
          bars.update(); // prints the log lines still buffered: stop() alone drops them
          bars.stop();
          if (activeBars === bars) activeBars = undefined;
        },
      };
    },
  };
}

const stderr = createTerminal(process.stderr);

/** `TAFUTA_LOG_FORMAT=json|pretty` overrides the choice (JSON on a terminal for jq; pretty in a CI log). */
export function logDestination(): pino.DestinationStream {
  const format = process.env.TAFUTA_LOG_FORMAT || undefined;
  if (format !== undefined && format !== 'json' && format !== 'pretty') {
    throw new TafutaError('INVALID_ARGUMENT', `TAFUTA_LOG_FORMAT must be "json" or "pretty" (got "${format}")`);
  }
  return stderr.logDestination(format);
}

export const startProgress: Terminal['startProgress'] = (format, initialPayload) => stderr.startProgress(format, initialPayload);
