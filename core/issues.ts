/** What the formatter needs of a zod error (structural, so that core/ depends on no schema library). */
export interface IssueList {
  readonly issues: ReadonlyArray<{ readonly path: ReadonlyArray<PropertyKey>; readonly message: string }>;
}

export interface IssueFormat {
  /** Printed for an issue at the root (empty path), e.g. 'record'; default the empty string. */
  root?: string;
  /** Put before every path, e.g. 'metadata' turns `tags.0` into `metadata.tags.0`. */
  prefix?: string;
}

/** A zod error as one line: `path: message; path: message`. */
export function formatIssues(error: IssueList, format: IssueFormat = {}): string {
  const { root = '', prefix } = format;
  return error.issues
    .map((i) => `${(prefix === undefined ? i.path : [prefix, ...i.path]).join('.') || root}: ${i.message}`)
    .join('; ');
}
