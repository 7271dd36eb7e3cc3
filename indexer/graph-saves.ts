/**
 * Saving a collection index's graph: whether it differs from its file, and saves that do not block searches. While a
 * background save reads the graph, the graph must not change: deletions read meanwhile are hidden from searches and
 * applied once it settles, and the background job and adoptions wait for it (`inProgress`).
 */
import type { GraphStore } from './graph-store.js';

/** What GraphSaves saves, and whom it tells. */
export interface SavedIndex {
  graph(): GraphStore;
  /** Right before the graph is written (saved-calibration.ts: another process's save may hold a calibration to keep). */
  beforeSave(): void;
  /** The deletions hidden during a save are now in the graph. */
  hiddenApplied(): void;
}

export class GraphSaves {
  /** The graph changed since its file was written. */
  dirty = false;
  /** Graph labels deleted while a background save reads the graph: hidden from searches, removed after it. */
  readonly hidden = new Set<number>();
  private readonly index: SavedIndex;
  private readonly readOnlyFiles: boolean;
  private saving: Promise<void> | undefined;
  private dropped = false;

  constructor(index: SavedIndex, readOnlyFiles: boolean) {
    this.index = index;
    this.readOnlyFiles = readOnlyFiles;
  }

  /** A background save in progress: the graph must not change until it settles. */
  get inProgress(): Promise<void> | undefined {
    return this.saving;
  }

  /** Dropped or closing: no background save may put its files in place (and the index's background job stops). */
  get abandoned(): boolean {
    return this.dropped;
  }

  get needed(): boolean {
    return this.dirty && !this.readOnlyFiles;
  }

  /** Removes a label from the graph, or hides it until the save reading the graph settles. */
  remove(label: number): void {
    if (this.saving) {
      this.hidden.add(label);
      return;
    }
    this.index.graph().remove(label);
    this.dirty = true;
  }

  /** Writes the graph to disk if it changed since the last save. */
  saveNow(): void {
    if (!this.dirty || this.readOnlyFiles) return;
    this.index.beforeSave();
    this.index.graph().save();
    this.dirty = false;
  }

  /**
   * Writes the graph to disk without blocking searches (see HnswVectorStore.saveInBackground). Skipped while `busy`
   * (the index's background job runs; it asks for a save when it is done).
   */
  async inBackground(busy: boolean): Promise<void> {
    if (!this.dirty || this.readOnlyFiles || this.saving || busy || this.dropped) return;
    this.index.beforeSave();
    this.dirty = false;
    const saving = this.index.graph().saveInBackground(() => !this.dropped).then(
      (committed) => {
        if (!committed) this.dirty = true;
      },
      (error: unknown) => {
        this.dirty = true;
        throw error;
      },
    );
    this.saving = saving.finally(() => {
      this.saving = undefined;
      this.applyHidden();
    });
    await this.saving;
  }

  /** Stops the background job and keeps a background save from committing (collection dropped, or closing). */
  abandon(): void {
    if (this.saving) this.dirty = true;
    this.dropped = true;
  }

  private applyHidden(): void {
    if (this.hidden.size === 0) return;
    const graph = this.index.graph();
    for (const label of this.hidden) graph.remove(label);
    this.hidden.clear();
    this.dirty = true;
    this.index.hiddenApplied();
  }
}
