/**
 * The only module that talks to apt and npm. Everything downstream reads extracted directories.
 * Layout under cacheDir: debs/*.deb, npm/*.tgz, extracted/deb/<pkg>/, extracted/npm/<name>/ (each with a
 * .done marker, so an interrupted extraction is redone); for archive parts the system's apt sources do not list,
 * apt/<name>/ (a private sources.list, its lists and apt cache), udebs/*.udeb, sources/<pkg>_<version>.dsc and
 * its tarballs, extracted/source/<pkg>/.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { BuildLog, PackageRecord } from './types.js';

interface RunResult { code: number; stdout: string; stderr: string }

/** The last line apt (or any tool) wrote to stderr: its error. */
function lastLine(res: RunResult): string {
  return res.stderr.trim().split('\n').pop() || `exit ${res.code}`;
}

function run(command: string, args: string[], cwd: string, stdinFrom?: { command: string; args: string[] }): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd, stdio: [stdinFrom ? 'pipe' : 'ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d: Buffer) => { stdout += d.toString(); });
    child.stderr!.on('data', (d: Buffer) => { stderr += d.toString(); });
    // A missing tool (no apt-get/dpkg on this machine) is a failed command, not a crash of the build.
    child.on('error', (err) => resolve({ code: 127, stdout, stderr: `${stderr}${command}: ${err.message}` }));
    if (stdinFrom) {
      const producer = spawn(stdinFrom.command, stdinFrom.args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
      producer.on('error', (err) => { stderr += `${stdinFrom.command}: ${err.message}`; child.stdin?.end(); });
      producer.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
      producer.stdout.pipe(child.stdin!);
    }
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

/** `apt-get download` names files `<pkg>_<version with ':' as %3a>_<arch>.deb` (or `.udeb`). */
async function cachedDeb(debDir: string, name: string, ext: string): Promise<{ file: string; version: string } | null> {
  const files = (await readdir(debDir)).filter((f) => f.startsWith(`${name}_`) && f.endsWith(ext)).sort();
  const file = files[files.length - 1];
  if (!file) return null;
  return { file: join(debDir, file), version: decodeURIComponent(file.split('_')[1] ?? '') };
}

export interface FetchedDeb { record: PackageRecord; debPath: string | null }

/** Where binary packages come from: the system's apt sources into debs/, or a private repository's udebs. */
interface BinaryArchive { dir: string; ext: string; kind: PackageRecord['kind']; aptArgs: string[]; locateHint: string }

const SYSTEM_ARCHIVE: BinaryArchive = { dir: 'debs', ext: '.deb', kind: 'deb', aptArgs: [], locateHint: ' (are the apt lists current? run apt-get update)' };

/**
 * Downloads missing .debs (batched; a failed batch is retried one package at a time so one bad name does
 * not sink the rest) and reports every package, cached or not.
 */
export function fetchDebs(names: readonly string[], cacheDir: string, logger: BuildLog,
  onEach?: (name: string) => void): Promise<Map<string, FetchedDeb>> {
  return fetchBinaries(names, cacheDir, SYSTEM_ARCHIVE, logger, onEach);
}

async function fetchBinaries(names: readonly string[], cacheDir: string, archive: BinaryArchive, logger: BuildLog,
  onEach?: (name: string) => void): Promise<Map<string, FetchedDeb>> {
  const debDir = join(cacheDir, archive.dir);
  await mkdir(debDir, { recursive: true });
  const { ext, kind } = archive;
  const result = new Map<string, FetchedDeb>();
  const missing: string[] = [];
  for (const name of names) {
    const hit = await cachedDeb(debDir, name, ext);
    if (hit) {
      result.set(name, { record: { name, kind, version: hit.version, status: 'cached', file: hit.file }, debPath: hit.file });
      onEach?.(name);
    } else {
      missing.push(name);
    }
  }
  if (missing.length) logger.info(`downloading ${missing.length} Debian packages (${names.length - missing.length} cached)`);
  const BATCH = 40;
  for (let i = 0; i < missing.length; i += BATCH) {
    const batch = missing.slice(i, i + BATCH);
    const batchRun = await run('apt-get', [...archive.aptArgs, 'download', '-q', ...batch], debDir);
    const errors = new Map<string, string>();
    if (batchRun.code !== 0) {
      for (const name of batch) {
        if (await cachedDeb(debDir, name, ext)) continue;
        const single = await run('apt-get', [...archive.aptArgs, 'download', '-q', name], debDir);
        if (single.code !== 0) errors.set(name, lastLine(single));
      }
    }
    for (const name of batch) {
      const hit = await cachedDeb(debDir, name, ext);
      if (hit) {
        result.set(name, { record: { name, kind, version: hit.version, status: 'downloaded', file: hit.file }, debPath: hit.file });
      } else {
        let error = errors.get(name) ?? 'apt-get download produced no file';
        if (/Unable to locate/u.test(error)) error += archive.locateHint;
        logger.error(`package ${name} could not be fetched: ${error}`);
        result.set(name, { record: { name, kind, version: null, status: 'failed', error }, debPath: null });
      }
      onEach?.(name);
    }
  }
  return result;
}

/**
 * Extracts a .deb into extracted/deb/<name>. With `members` (tar wildcards) only matching files are
 * unpacked — the gettext packages hold ~3 GB of other files; without, the whole package (`dpkg -x`).
 * `archive: 'control'` unpacks members of the control archive instead (debconf `./templates`), into
 * extracted/control/<name>, so that a package read both ways keeps one directory per archive.
 */
export async function extractDeb(cacheDir: string, name: string, debPath: string, members?: readonly string[],
  archive: 'data' | 'control' = 'data'): Promise<string> {
  const dir = join(cacheDir, 'extracted', archive === 'data' ? 'deb' : 'control', name);
  const marker = join(dir, '.done');
  const wanted = JSON.stringify(members ?? 'all');
  if (existsSync(marker) && (await readFile(marker, 'utf8')) === wanted) return dir;
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const tarfile = archive === 'data' ? '--fsys-tarfile' : '--ctrl-tarfile';
  const res = members || archive === 'control'
    ? await run('tar', ['-x', '-C', dir, '--wildcards', ...(members ?? [])], dir, { command: 'dpkg-deb', args: [tarfile, debPath] })
    : await run('dpkg', ['-x', debPath, dir], dir);
  // tar exits 2 when a wildcard matched nothing; that only means the package has no such files.
  const onlyNotFound = res.stderr.split('\n').filter((l) => l.trim()).every((l) => /Not found in archive|Exiting with failure status/u.test(l));
  if (res.code !== 0 && !(members && onlyNotFound)) throw new Error(`extracting ${name}: ${res.stderr.trim()}`);
  await writeFile(marker, wanted);
  return dir;
}

/** `npm pack NAME@VERSION` into npm/, extracted to extracted/npm/<name>-<version>/package. */
export async function fetchNpm(name: string, version: string, cacheDir: string, logger: BuildLog):
  Promise<{ record: PackageRecord; dir: string | null }> {
  const npmDir = join(cacheDir, 'npm');
  await mkdir(npmDir, { recursive: true });
  const tgz = join(npmDir, `${name.replace(/^@/u, '').replace(/\//gu, '-')}-${version}.tgz`);
  let status: PackageRecord['status'] = 'cached';
  if (!existsSync(tgz)) {
    status = 'downloaded';
    const res = await run('npm', ['pack', '--silent', `${name}@${version}`, '--pack-destination', npmDir], npmDir);
    if (res.code !== 0 || !existsSync(tgz)) {
      const error = res.stderr.trim().split('\n').pop() ?? `exit ${res.code}`;
      logger.error(`npm package ${name}@${version} could not be fetched: ${error}`);
      return { record: { name, kind: 'npm', version, status: 'failed', error }, dir: null };
    }
  }
  const dir = join(cacheDir, 'extracted', 'npm', `${name}-${version}`);
  if (!existsSync(join(dir, '.done'))) {
    await rm(dir, { recursive: true, force: true });
    await mkdir(dir, { recursive: true });
    const res = await run('tar', ['-xzf', tgz, '-C', dir], dir);
    if (res.code !== 0) {
      const error = `extracting: ${res.stderr.trim()}`;
      logger.error(`npm package ${name}@${version}: ${error}`);
      return { record: { name, kind: 'npm', version, status: 'failed', error }, dir: null };
    }
    await writeFile(join(dir, '.done'), '');
  }
  return { record: { name, kind: 'npm', version, status, file: tgz }, dir: join(dir, 'package') };
}

/**
 * An apt repository the system's sources do not list (the installer's `main/debian-installer`, `deb-src`), read
 * through a private configuration under apt/<name>/: the system's sources, lists and lock are left untouched, so
 * the build needs no root for it.
 */
export interface PrivateAptRepository {
  name: string;
  /** Its sources.list lines. */
  lines: readonly string[];
}

function privateAptArgs(cacheDir: string, repo: PrivateAptRepository): string[] {
  const root = join(cacheDir, 'apt', repo.name);
  return ['-o', `Dir::Etc::SourceList=${join(root, 'sources.list')}`, '-o', `Dir::Etc::SourceParts=${join(root, 'sources.list.d')}`,
    '-o', `Dir::State::Lists=${join(root, 'lists')}`, '-o', `Dir::Cache=${join(root, 'cache')}`, '-o', 'Debug::NoLocking=1'];
}

/** Writes the repository's sources.list and fetches its indexes; null when they were fetched, else why not. */
async function updatePrivateLists(cacheDir: string, repo: PrivateAptRepository): Promise<string | null> {
  const root = join(cacheDir, 'apt', repo.name);
  for (const dir of ['sources.list.d', 'lists/partial', 'cache/archives/partial']) await mkdir(join(root, dir), { recursive: true });
  await writeFile(join(root, 'sources.list'), repo.lines.map((l) => `${l}\n`).join(''));
  // Without --error-on=any, apt-get update exits 0 when an index fails to download ("W: Some index files failed").
  const res = await run('apt-get', [...privateAptArgs(cacheDir, repo), 'update', '-q', '--error-on=any'], root);
  if (res.code === 0) return null;
  const errors = `${res.stdout}\n${res.stderr}`.split('\n').filter((l) => /^(E|W|Err):/u.test(l.trim()));
  return errors.length ? errors.join('; ') : lastLine(res);
}

/** A source package fetched by `apt-get source --download-only`: its .dsc and the files it lists, all present. */
export interface FetchedSource { record: PackageRecord; files: string[] | null }

/** The files a .dsc lists under `Files:` (` md5 size name` lines). */
export function dscFiles(dsc: string): string[] {
  const block = /^Files:[^\n]*\n((?:[ \t]+\S+[ \t]+\d+[ \t]+\S+\n?)+)/mu.exec(dsc.replace(/\r\n/gu, '\n'));
  return block ? block[1]!.trim().split('\n').map((line) => line.trim().split(/\s+/u)[2]!) : [];
}

/** A cached source package: its newest .dsc whose listed files are all there (a failed download leaves the .dsc alone). */
async function cachedSource(srcDir: string, name: string): Promise<{ dsc: string; version: string; files: string[] } | null> {
  const present = await readdir(srcDir);
  const dscs = present.filter((f) => f.startsWith(`${name}_`) && f.endsWith('.dsc')).sort();
  const dsc = dscs[dscs.length - 1];
  if (!dsc) return null;
  // A dangling .dsc (apt links a file: repository's files) counts as missing.
  const text = await readFile(join(srcDir, dsc), 'utf8').catch(() => '');
  const files = dscFiles(text);
  if (!files.length || !files.every((f) => present.includes(f))) return null;
  return { dsc: join(srcDir, dsc), version: dsc.slice(name.length + 1, -'.dsc'.length), files: files.map((f) => join(srcDir, f)) };
}

/**
 * Udebs and source packages from a private repository, each cached (udebs/, sources/). The lists are fetched only
 * when something is missing; when they cannot be, every missing package fails with that reason.
 */
export async function fetchFromPrivateRepository(repo: PrivateAptRepository, udebs: readonly string[], sources: readonly string[],
  cacheDir: string, logger: BuildLog): Promise<{ udebs: Map<string, FetchedDeb>; sources: Map<string, FetchedSource> }> {
  const udebDir = join(cacheDir, 'udebs');
  const srcDir = join(cacheDir, 'sources');
  for (const dir of [udebDir, srcDir]) await mkdir(dir, { recursive: true });
  const aptArgs = privateAptArgs(cacheDir, repo);
  const archive: BinaryArchive = { dir: 'udebs', ext: '.udeb', kind: 'udeb', aptArgs, locateHint: ` (not in ${repo.lines.join(' | ')})` };
  const udebMissing: string[] = [];
  for (const name of udebs) if (!(await cachedDeb(udebDir, name, '.udeb'))) udebMissing.push(name);
  const sourceMissing: string[] = [];
  for (const name of sources) if (!(await cachedSource(srcDir, name))) sourceMissing.push(name);

  const listsError = udebMissing.length || sourceMissing.length ? await updatePrivateLists(cacheDir, repo) : null;
  const unreachable = listsError && `the apt lists of ${repo.lines.join(' | ')} could not be fetched: ${listsError}`;
  if (unreachable) logger.error(`${repo.name}: ${unreachable}`);
  const failed = (name: string, kind: PackageRecord['kind'], error: string): PackageRecord => ({ name, kind, version: null, status: 'failed', error });

  // Without lists, only the cached udebs are asked for: fetchBinaries then finds them all and calls no apt.
  const fetched = await fetchBinaries(unreachable ? udebs.filter((n) => !udebMissing.includes(n)) : udebs, cacheDir, archive, logger);
  const fetchedUdebs = new Map(udebs.map((name) => [name, fetched.get(name) ?? { record: failed(name, 'udeb', unreachable || ''), debPath: null }]));
  const fetchedSources = new Map<string, FetchedSource>();
  for (const name of sources) {
    const missing = sourceMissing.includes(name);
    if (missing && unreachable) {
      fetchedSources.set(name, { record: failed(name, 'source', unreachable), files: null });
      continue;
    }
    let error = '';
    if (missing) {
      const res = await run('apt-get', [...aptArgs, 'source', '--download-only', '-q', name], srcDir);
      if (res.code !== 0) error = lastLine(res);
    }
    const hit = await cachedSource(srcDir, name);
    if (hit) {
      const record: PackageRecord = { name, kind: 'source', version: hit.version, status: missing ? 'downloaded' : 'cached', file: hit.dsc };
      fetchedSources.set(name, { record, files: hit.files });
    } else {
      error ||= 'apt-get source produced no complete source package';
      logger.error(`source package ${name} could not be fetched: ${error}`);
      fetchedSources.set(name, { record: failed(name, 'source', error), files: null });
    }
  }
  return { udebs: fetchedUdebs, sources: fetchedSources };
}

/**
 * Unpacks the files matching `members` (tar wildcards) from a source package's tarballs into extracted/source/<name>
 * (a tarball holding none of them, such as an upstream .orig.tar, gives nothing).
 */
export async function extractSource(cacheDir: string, name: string, files: readonly string[], members: readonly string[]): Promise<string> {
  const dir = join(cacheDir, 'extracted', 'source', name);
  const marker = join(dir, '.done');
  const tarballs = files.filter((f) => /\.tar(\.[a-z0-9]+)?$/u.test(f));
  const wanted = JSON.stringify({ tarballs: tarballs.map((f) => basename(f)), members });
  if (existsSync(marker) && (await readFile(marker, 'utf8')) === wanted) return dir;
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  for (const tarball of tarballs) {
    const res = await run('tar', ['-x', '-f', tarball, '-C', dir, '--wildcards', ...members], dir);
    const onlyNotFound = res.stderr.split('\n').filter((l) => l.trim()).every((l) => /Not found in archive|Exiting with failure status/u.test(l));
    if (res.code !== 0 && !onlyNotFound) throw new Error(`extracting ${name} (${basename(tarball)}): ${res.stderr.trim()}`);
  }
  await writeFile(marker, wanted);
  return dir;
}
