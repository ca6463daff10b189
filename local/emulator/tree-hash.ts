import { createHash } from 'node:crypto';

const MIB = 1024 * 1024;

function sha256(...chunks: Buffer[]): Buffer {
  const hash = createHash('sha256');
  for (const chunk of chunks) hash.update(chunk);
  return hash.digest();
}

/** Combines hashes pairwise, level by level, promoting an odd last one (Glacier's tree hash). */
export function combineTreeHashes(hashes: Buffer[]): Buffer {
  if (hashes.length === 0) return sha256();
  let level = hashes;
  while (level.length > 1) {
    const next: Buffer[] = [];
    for (let i = 0; i < level.length; i += 2) {
      const left = level[i] as Buffer;
      const right = level[i + 1];
      next.push(right === undefined ? left : sha256(left, right));
    }
    level = next;
  }
  return level[0] as Buffer;
}

/** SHA-256 tree hash of a body, hex encoded, as Glacier computes it over 1 MiB chunks. */
export function treeHash(body: Buffer): string {
  const leaves: Buffer[] = [];
  for (let offset = 0; offset < body.length; offset += MIB) {
    leaves.push(sha256(body.subarray(offset, offset + MIB)));
  }
  return combineTreeHashes(leaves.length > 0 ? leaves : [sha256(body)]).toString('hex');
}
