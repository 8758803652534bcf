/**
 * Reciprocal rank fusion: several rankings of the same things (full-text search, embedding similarity) into one, each
 * thing scoring the sum of 1 / (k + rank) over the rankings that hold it (rank 1 the best). Only ranks count, never
 * the rankings' own scores, which cannot be compared (a ts_rank_cd of 0.3 and a cosine of 0.8 say nothing about each
 * other). k = 60 is the value of the paper (Cormack, Clarke, Büttcher 2009): the first places differ little, so one
 * ranking alone does not decide.
 */
export const RRF_K = 60;

export interface FusedRank<K> {
  key: K;
  score: number;
}

/**
 * The keys of all rankings (each best first, a key at most once in each), by fused score, best first. Ties go to
 * the key with the better rank in an earlier ranking (the first ranking is the one that decides between equals),
 * then to the order the keys first appear in.
 */
export function reciprocalRankFusion<K>(rankings: ReadonlyArray<readonly K[]>, k: number = RRF_K): Array<FusedRank<K>> {
  const fused = new Map<K, { score: number; ranks: number[]; seen: number }>();
  rankings.forEach((ranking, list) => {
    ranking.forEach((key, index) => {
      let entry = fused.get(key);
      if (!entry) {
        entry = { score: 0, ranks: rankings.map(() => Number.POSITIVE_INFINITY), seen: fused.size };
        fused.set(key, entry);
      }
      if (entry.ranks[list] !== Number.POSITIVE_INFINITY) return;
      entry.ranks[list] = index + 1;
      entry.score += 1 / (k + index + 1);
    });
  });
  return [...fused.entries()]
    .sort(([, a], [, b]) => b.score - a.score || compareRanks(a.ranks, b.ranks) || a.seen - b.seen)
    .map(([key, { score }]) => ({ key, score }));
}

function compareRanks(a: readonly number[], b: readonly number[]): number {
  for (let list = 0; list < a.length; list++) {
    if (a[list] !== b[list]) return a[list]! < b[list]! ? -1 : 1;
  }
  return 0;
}
