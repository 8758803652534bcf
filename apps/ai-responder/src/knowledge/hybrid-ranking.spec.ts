import { describe, expect, it } from 'vitest';
import { reciprocalRankFusion, RRF_K } from './hybrid-ranking.js';

const keys = <K>(fused: Array<{ key: K }>) => fused.map((entry) => entry.key);

describe('reciprocalRankFusion', () => {
  it('scores each key 1 / (k + rank) summed over the rankings that hold it', () => {
    const fused = reciprocalRankFusion([
      ['a', 'b', 'c'],
      ['c', 'a'],
    ]);
    expect(fused).toEqual([
      { key: 'a', score: 1 / 61 + 1 / 62 },
      { key: 'c', score: 1 / 63 + 1 / 61 },
      { key: 'b', score: 1 / 62 },
    ]);
    expect(RRF_K).toBe(60);
  });

  it('puts what both rankings found above what one found first', () => {
    // "synonym" is only found by meaning, "exact" only by words; "both" is second in each.
    expect(keys(reciprocalRankFusion([['exact', 'both', 'x'], ['synonym', 'both', 'y']]))).toEqual(['both', 'exact', 'synonym', 'x', 'y']);
  });

  it('breaks ties by the earlier ranking, then by first appearance', () => {
    expect(keys(reciprocalRankFusion([['fts'], ['vector']]))).toEqual(['fts', 'vector']);
    expect(keys(reciprocalRankFusion([['a', 'b'], ['b', 'a']]))).toEqual(['a', 'b']);
    expect(keys(reciprocalRankFusion([[], ['v1', 'v2']]))).toEqual(['v1', 'v2']);
  });

  it('keeps one ranking as it is, and counts a repeated key once per ranking', () => {
    expect(keys(reciprocalRankFusion([[3, 1, 2]]))).toEqual([3, 1, 2]);
    expect(reciprocalRankFusion([['a', 'a', 'b']])).toEqual([
      { key: 'a', score: 1 / 61 },
      { key: 'b', score: 1 / 63 },
    ]);
    expect(reciprocalRankFusion([])).toEqual([]);
  });

  it('takes another k', () => {
    expect(reciprocalRankFusion([['a']], 0)).toEqual([{ key: 'a', score: 1 }]);
  });
});
