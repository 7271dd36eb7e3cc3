/** fsync helpers for the crash-safe writes of index files and snapshots. */
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { sha256File } from '../core/hash.js';

export function fsyncFile(file: string): void {
  const fd = fs.openSync(file, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

export function fsyncDir(dir: string): void {
  try {
    fsyncFile(dir);
  } catch {
    // Some filesystems refuse fsync on directories; renames are still atomic.
  }
}

/**
 * Which file a path names now (inode, size, mtime). Index files are never changed in place, only replaced by
 * rename, so the same identity before and after reading means the bytes read are one file's; undefined: no file.
 */
export function fileIdentityOf(file: string): string | undefined {
  try {
    const stat = fs.statSync(file);
    return `${stat.dev}:${stat.ino}:${stat.size}:${stat.mtimeMs}`;
  } catch {
    return undefined;
  }
}

/** Writes through `write(tmp)`, fsyncs, then renames over `file`: readers see the old file or the new one. */
export function writeDurably(file: string, write: (tmp: string) => void): void {
  const tmp = `${file}.tmp-${process.pid}`;
  write(tmp);
  fsyncFile(tmp);
  fs.renameSync(tmp, file);
}

export interface BackgroundCommit {
  /** The index file to replace. */
  file: string;
  /** Its manifest, which names the file's sha256. */
  manifestFile: string;
  write(tmp: string): Promise<void> | void;
  manifest(sha256: string): unknown;
  /** Asked once the file is written and hashed: false abandons it (a newer save or a close came first). */
  shouldCommit(): boolean;
}

/**
 * An index file saved without blocking the event loop longer than its library's write: fsync and checksum run
 * asynchronously; the rename and the manifest that describes it are synchronous, so nothing interleaves between
 * them. Returns whether the file was committed.
 */
export async function commitInBackground(commit: BackgroundCommit): Promise<boolean> {
  // Not the name writeDurably uses: a synchronous save at shutdown may run while this one is still writing.
  const tmp = `${commit.file}.tmp-${process.pid}-background`;
  try {
    await fsp.mkdir(path.dirname(commit.file), { recursive: true });
    await commit.write(tmp);
    const handle = await fsp.open(tmp, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
    const sha256 = await sha256File(tmp);
    if (!commit.shouldCommit()) {
      await fsp.rm(tmp, { force: true });
      return false;
    }
    fs.renameSync(tmp, commit.file);
    writeDurably(commit.manifestFile, (t) => fs.writeFileSync(t, `${JSON.stringify(commit.manifest(sha256), null, 2)}\n`));
    fsyncDir(path.dirname(commit.file));
    return true;
  } catch (error) {
    await fsp.rm(tmp, { force: true });
    throw error;
  }
}
