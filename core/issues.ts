/** What the formatter needs of a zod error (structural, so that core/ depends on no schema library). */
export interface IssueList {
  readonly issues: ReadonlyArray<{ readonly path: ReadonlyArray<PropertyKey>; readonly message: string }>;
}

export interface IssueFormat {
  /** Printed for an issue at the root (empty path), e.g. 'record'; default the empty string. */
  root?: string;
  /** Put before every path, e.g. 'metadata' turns `tags.0` into `metadata.tags.0`. */
  prefix?: string;
  /** At most this many issues (default all). */
  limit?: number;
}

/** A zod error as one line: `path: message; path: message`. */
export function formatIssues(error: IssueList, format: IssueFormat = {}): string {
  const { root = '', prefix, limit } = format;
  return error.issues
    .slice(0, limit)
    .map((i) => `${(prefix === undefined ? i.path : [prefix, ...i.path]).join('.') || root}: ${i.message}`)
    .join('; ');
}
