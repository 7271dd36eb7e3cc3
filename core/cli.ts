/** What every folder's CLI verbs share: the bad-input error and exit codes, the progress-bar seam, list parsing. */
import { isTafutaError } from './errors.js';

/**
 * A command-line failure printed as `tafuta: <message>` (no error code) with its exit code: 2 = bad input
 * (usage, file, arguments), 1 = a failure of the run itself.
 */
export class CliError extends Error {
  constructor(message: string, readonly exitCode = 2) {
    super(message);
  }
}

/** Error codes that are our failure, not the caller's input: exit 1. */
const FAILURE_CODES = new Set(['INTERNAL', 'DATABASE_CORRUPT']);

/**
 * The exit code of a verb that threw `error`, and the one line that says why: 2 for bad input (a CliError, or a
 * TafutaError of an input code), 1 for anything else — a failure of the run or a bug (a CliError brings its own).
 * `expected` is false for a bug, whose stack belongs in the log.
 */
export function exitFor(error: unknown): { code: number; message: string; expected: boolean } {
  if (error instanceof CliError) return { code: error.exitCode, message: `tafuta: ${error.message}`, expected: true };
  if (isTafutaError(error)) return { code: FAILURE_CODES.has(error.code) ? 1 : 2, message: `tafuta: ${error.message} [${error.code}]`, expected: true };
  return { code: 1, message: `tafuta: ${error instanceof Error ? error.message : String(error)}`, expected: false };
}

export interface Progress {
  update(value: number, total: number, payload?: Record<string, unknown>): void;
  stop(): void;
}

/** A progress bar on an interactive stderr; undefined when quiet or piped (there the log says what happens). */
export type ProgressBar = (format: string, initialPayload?: Record<string, unknown>) => Progress | undefined;

/** A comma-separated option value as a list, blanks dropped. */
export const commaList = (value: string): string[] => value.split(',').map((s) => s.trim()).filter(Boolean);
