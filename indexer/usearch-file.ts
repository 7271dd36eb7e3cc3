/**
 * A structural check of a usearch index file (index_dense_gt::save of usearch 2.x, 32-bit slots, 64-bit keys), for
 * the same reason as hnsw-file.ts: usearch trusts the neighbour slots it loads, so a link past the end or to a
 * level its target lacks is read as memory by the first search that follows it. The checksum in the manifest
 * proves the file is the one written; this proves every slot a search can follow stays inside the graph.
 *
 * Layout: u32 rows, u32 bytes per vector, the vectors; a 64-byte head ("usearch", version, metric, scalar, key and
 * slot kinds, present / deleted counts, dimensions, multi); the graph header (5 × u64: size, connectivity,
 * connectivity of level 0, top level, entry slot); one i16 level per node; then each node: u64 key, i16 level,
 * and per level 0..level a u32 neighbour count followed by room for connectivity (level 0: its own) u32 slots.
 */
import type { ForwardBytes } from './graph-file-bytes.js';

const MAGIC = 'usearch';
const HEAD_BYTES = 64;
const GRAPH_HEADER_BYTES = 40;
const SLOT_BYTES = 4;
const COUNT_BYTES = 4;
const NODE_HEAD_BYTES = 10;
/** A removed node's key (usearch's free value for u64 keys). */
const FREE_KEY = 0xffffffffffffffffn;
/** usearch's scalar_kind_t codes of the quantisations tafuta writes, and their bytes per dimension. */
export const USEARCH_SCALARS = { f32: { code: 11, bytes: 4 }, f16: { code: 12, bytes: 2 }, i8: { code: 23, bytes: 1 } } as const;
export type UsearchScalar = keyof typeof USEARCH_SCALARS;
/** metric_kind_t code of cosine. */
const METRIC_COS = 'c'.charCodeAt(0);

export interface UsearchFileExpectation {
  dim: number;
  M: number;
  scalar: UsearchScalar;
}

export interface UsearchFileSummary {
  /** Nodes in the graph, including removed ones. */
  elements: number;
  deleted: number;
}

/** Reads `bytes` front to back (graph-file-bytes.ts): the level table, then each node. */
export function checkUsearchFile(bytes: ForwardBytes, expected: UsearchFileExpectation): UsearchFileSummary | { problem: string } {
  if (bytes.length < 8) return { problem: 'shorter than its header' };
  const rows = bytes.readUInt32LE(0);
  const vectorBytes = bytes.readUInt32LE(4);
  if (vectorBytes !== expected.dim * USEARCH_SCALARS[expected.scalar].bytes) return { problem: 'vector size does not match the dimension and quantisation' };
  const headAt = 8 + rows * vectorBytes;
  if (headAt + HEAD_BYTES + GRAPH_HEADER_BYTES > bytes.length) return { problem: 'truncated vectors or header' };
  if (bytes.toString('latin1', headAt, headAt + MAGIC.length) !== MAGIC) return { problem: 'not a usearch file (magic)' };
  if (bytes.readUInt16LE(headAt + 7) !== 2) return { problem: 'usearch format version is not 2.x' };
  const [metric, scalar, keyKind, slotKind] = [13, 14, 15, 16].map((o) => bytes.readUInt8(headAt + o));
  if (metric !== METRIC_COS || scalar !== USEARCH_SCALARS[expected.scalar].code) return { problem: 'metric or quantisation does not match' };
  if (keyKind !== 14 /* u64 */ || slotKind !== 15 /* u32 */) return { problem: 'key or slot type is not u64 / u32' };
  const present = Number(bytes.readBigUInt64LE(headAt + 17));
  const deleted = Number(bytes.readBigUInt64LE(headAt + 25));
  if (Number(bytes.readBigUInt64LE(headAt + 33)) !== expected.dim) return { problem: 'dimension does not match' };
  if (bytes.readUInt8(headAt + 41) !== 0) return { problem: 'a multi-key index' };

  const graphAt = headAt + HEAD_BYTES;
  const u64 = (offset: number) => Number(bytes.readBigUInt64LE(offset));
  const [count, connectivity, connectivityBase, maxLevel, entrySlot] = [0, 8, 16, 24, 32].map((o) => u64(graphAt + o)) as [number, number, number, number, number];
  if (connectivity !== expected.M || connectivityBase !== 2 * expected.M) return { problem: 'connectivity does not match the build parameters' };
  if (count !== rows || present + deleted !== count) return { problem: 'node counts disagree' };
  const levelsAt = graphAt + GRAPH_HEADER_BYTES;
  const nodesAt = levelsAt + 2 * count;
  if (count === 0) return nodesAt === bytes.length ? { elements: 0, deleted: 0 } : { problem: 'trailing bytes' };
  if (entrySlot >= count) return { problem: 'entry point outside the graph' };

  const baseListBytes = COUNT_BYTES + connectivityBase * SLOT_BYTES;
  const upperListBytes = COUNT_BYTES + connectivity * SLOT_BYTES;
  if (nodesAt > bytes.length) return { problem: 'truncated levels' };
  const levels = new Int16Array(count);
  let at = nodesAt;
  for (let i = 0; i < count; i++) {
    const level = bytes.readInt16LE(levelsAt + 2 * i);
    if (level < 0 || level > maxLevel) return { problem: `node ${i}: level ${level} outside 0..${maxLevel}` };
    levels[i] = level;
    at += NODE_HEAD_BYTES + baseListBytes + level * upperListBytes;
  }
  if (at !== bytes.length) return { problem: at > bytes.length ? 'truncated nodes' : 'trailing bytes' };
  if (levels[entrySlot] !== maxLevel) return { problem: 'entry point is not on the top level' };

  const keys = new Set<bigint>();
  let removed = 0;
  at = nodesAt;
  for (let i = 0; i < count; i++) {
    const key = bytes.readBigUInt64LE(at);
    if (key === FREE_KEY) removed++;
    else if (keys.has(key)) return { problem: `key ${key} appears twice` };
    else keys.add(key);
    if (bytes.readInt16LE(at + 8) !== levels[i]) return { problem: `node ${i}: level differs from the level table` };
    at += NODE_HEAD_BYTES;
    for (let level = 0; level <= levels[i]!; level++) {
      const capacity = level === 0 ? connectivityBase : connectivity;
      const n = bytes.readUInt32LE(at);
      if (n > capacity) return { problem: `node ${i}: ${n} links at level ${level}, room for ${capacity}` };
      for (let j = 0; j < n; j++) {
        const target = bytes.readUInt32LE(at + COUNT_BYTES + j * SLOT_BYTES);
        if (target >= count) return { problem: `node ${i}: link to ${target}, outside the graph` };
        if (levels[target]! < level) return { problem: `node ${i}: link at level ${level} to a node without that level` };
      }
      at += COUNT_BYTES + capacity * SLOT_BYTES;
    }
  }
  if (removed !== deleted) return { problem: 'removed nodes do not match the header' };
  return { elements: count, deleted };
}
