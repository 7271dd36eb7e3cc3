/** Adapts the on-disk teacher vector cache (models/teacher) to the trainer's TeacherVectors seam, read-only. */
import fs from 'node:fs';
import path from 'node:path';
import { CACHE_FILES, openTeacherCache, type TeacherCacheMeta } from '../teacher/cache.js';
import type { Teacher } from '../teacher/teacher.js';
import type { TeacherVectors } from './trainer.js';

/** The cached teacher's vectors, or undefined when no cache has been built (`tafuta teacher build`). */
export async function loadTeacherLookup(cacheDir: string): Promise<TeacherVectors | undefined> {
  const metaFile = path.join(cacheDir, CACHE_FILES.meta);
  if (!fs.existsSync(metaFile)) return undefined;
  const meta = JSON.parse(fs.readFileSync(metaFile, 'utf8')) as TeacherCacheMeta;
  // Training only reads the cache; a teacher that refuses to embed keeps it that way (and never loads TF.js).
  const readOnly: Teacher = {
    name: meta.teacher,
    dim: meta.dim,
    embed: () => Promise.reject(new Error('the teacher cache is read-only during training; run `tafuta teacher build`')),
  };
  const cache = await openTeacherCache(cacheDir, readOnly);
  return { dim: meta.dim, lookup: (text) => cache.lookup(text) };
}
