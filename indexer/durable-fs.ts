/** fsync helpers for the crash-safe writes of index files and snapshots. */
import fs from 'node:fs';

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

/** Writes through `write(tmp)`, fsyncs, then renames over `file`: readers see the old file or the new one. */
export function writeDurably(file: string, write: (tmp: string) => void): void {
  const tmp = `${file}.tmp-${process.pid}`;
  write(tmp);
  fsyncFile(tmp);
  fs.renameSync(tmp, file);
}
