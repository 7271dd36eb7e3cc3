/**
 * A structural check of an hnswlib index file (the format of hnswlib's HierarchicalNSW::saveIndex, vendored by
 * hnswlib-node 3). hnswlib trusts the links it loads: a neighbour id past the end, a list longer than its slot or
 * a link to a level its target does not have is read as memory, and the first search that follows it crashes
 * the process (SIGSEGV), on every restart. A checksum only proves the file is the one that was written, not
 * that it is sound; this proves every pointer a search can follow stays inside the graph.
 */
import type { ForwardBytes } from './graph-file-bytes.js';

/** The header: 13 fields written with writeBinaryPOD (size_t = 8 bytes, int and tableint = 4, double = 8). */
const HEADER_BYTES = 96;
const ID_BYTES = 4;
const LIST_HEADER_BYTES = 4;
const LABEL_BYTES = 8;
const DELETE_MARK = 0x01;

export interface HnswFileExpectation {
  dim: number;
  M: number;
}

export interface HnswFileSummary {
  elements: number;
  deleted: number;
}

/**
 * Checks `bytes` as an index of `dim`-d float vectors built with `M`; returns what it holds, or why it is unsound. Reads
 * front to back (graph-file-bytes.ts): level 0, then the upper levels, whose lists are checked once every element's
 * levels are known (they are small beside level 0: about one element in M has any, and they hold no vectors).
 */
export function checkHnswFile(bytes: ForwardBytes, expected: HnswFileExpectation): HnswFileSummary | { problem: string } {
  if (bytes.length < HEADER_BYTES) return { problem: 'shorter than its header' };
  const size = (offset: number) => Number(bytes.readBigUInt64LE(offset));
  const offsetLevel0 = size(0);
  const maxElements = size(8);
  const count = size(16);
  const bytesPerElement = size(24);
  const labelOffset = size(32);
  const dataOffset = size(40);
  const maxLevel = bytes.readInt32LE(48);
  const entryPoint = bytes.readUInt32LE(52);
  const maxM = size(56);
  const maxM0 = size(64);
  const M = size(72);

  const level0ListBytes = maxM0 * ID_BYTES + LIST_HEADER_BYTES;
  const upperListBytes = maxM * ID_BYTES + LIST_HEADER_BYTES;
  if (offsetLevel0 !== 0 || M !== expected.M || maxM !== expected.M || maxM0 !== 2 * expected.M) return { problem: 'header does not match the build parameters' };
  if (dataOffset !== level0ListBytes || labelOffset !== dataOffset + expected.dim * 4 || bytesPerElement !== labelOffset + LABEL_BYTES) {
    return { problem: 'header does not match the element layout' };
  }
  if (count > maxElements) return { problem: 'more elements than capacity' };
  const upperStart = HEADER_BYTES + count * bytesPerElement;
  if (upperStart > bytes.length) return { problem: 'truncated level-0 data' };
  if (count === 0) return upperStart === bytes.length ? { elements: 0, deleted: 0 } : { problem: 'trailing bytes' };
  if (entryPoint >= count || maxLevel < 0) return { problem: 'entry point outside the graph' };

  let deleted = 0;
  const labels = new Set<number>();
  for (let i = 0; i < count; i++) {
    const base = HEADER_BYTES + i * bytesPerElement;
    const links = bytes.readUInt16LE(base);
    if (bytes.readUInt8(base + 2) & DELETE_MARK) deleted++;
    // Every element has level 0: a link inside the graph is a link to a level its target has.
    const problem = checkLinks(bytes, base, links, maxM0, 0, i, count, undefined);
    if (problem) return { problem };
    // A label twice means two graph slots answer for one passage: searches would list it twice.
    const label = size(base + labelOffset);
    if (labels.has(label)) return { problem: `label ${label} appears twice` };
    labels.add(label);
  }

  // Upper levels: where each element's lists are, and how many levels it has.
  const upper = bytes.subarray(upperStart, bytes.length);
  const levels = new Int32Array(count);
  const upperOffsets = new Float64Array(count);
  let at = 0;
  for (let i = 0; i < count; i++) {
    if (at + 4 > upper.length) return { problem: 'truncated link lists' };
    const listBytes = upper.readUInt32LE(at);
    at += 4;
    if (listBytes % upperListBytes !== 0) return { problem: `element ${i}: link lists of a size no level count gives` };
    levels[i] = listBytes / upperListBytes;
    if (levels[i]! > maxLevel) return { problem: `element ${i}: above the top level` };
    upperOffsets[i] = at;
    at += listBytes;
  }
  if (at !== upper.length) return { problem: at > upper.length ? 'truncated link lists' : 'trailing bytes' };
  if (levels[entryPoint] !== maxLevel) return { problem: 'entry point is not on the top level' };
  for (let i = 0; i < count; i++) {
    for (let level = 1; level <= levels[i]!; level++) {
      const offset = upperOffsets[i]! + (level - 1) * upperListBytes;
      const levelProblem = checkLinks(upper, offset, upper.readUInt16LE(offset), maxM, level, i, count, levels);
      if (levelProblem) return { problem: levelProblem };
    }
  }
  return { elements: count, deleted };
}

/** The `n` links of the list at `offset`: at most `capacity`, each to an element of the graph that has `level` (`levels`). */
function checkLinks(
  bytes: ForwardBytes, offset: number, n: number, capacity: number, level: number, owner: number, count: number, levels: Int32Array | undefined,
): string | undefined {
  if (n > capacity) return `element ${owner}: ${n} links at level ${level}, room for ${capacity}`;
  for (let j = 0; j < n; j++) {
    const target = bytes.readUInt32LE(offset + LIST_HEADER_BYTES + j * ID_BYTES);
    if (target >= count) return `element ${owner}: link to ${target}, outside the graph`;
    if (levels && levels[target]! < level) return `element ${owner}: link at level ${level} to an element without that level`;
  }
  return undefined;
}
