/** What every folder's CLI verbs share: the bad-input error, the progress-bar seam, list parsing. */

/**
 * A command-line failure printed as `tafuta: <message>` (no error code) with its exit code: 2 = bad input
 * (usage, file, arguments), 1 = a failure of the run itself.
 */
export class CliError extends Error {
  constructor(message: string, readonly exitCode = 2) {
    super(message);
  }
}

export interface Progress {
  update(value: number, total: number, payload?: Record<string, unknown>): void;
  stop(): void;
}

/** A progress bar on an interactive stderr; undefined when quiet or piped (there the log says what happens). */
export type ProgressBar = (format: string, initialPayload?: Record<string, unknown>) => Progress | undefined;

/** A comma-separated option value as a list, blanks dropped. */
export const commaList = (value: string): string[] => value.split(',').map((s) => s.trim()).filter(Boolean);
