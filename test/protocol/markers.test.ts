/** The one citation-marker grammar (server and browser alike): groups, ranges, and brackets that are not markers. */
import { describe, expect, it } from 'vitest';
import { MARKER_GROUP, markersIn, parseMarkerGroup } from '../../src/protocol/markers.js';

describe('parseMarkerGroup', () => {
  it.each<[string, number[] | null]>([
    ['3', [3]],
    ['1, 2', [1, 2]],
    ['2; 3', [2, 3]],
    ['4 ,5', [4, 5]],
    ['1-3', [1, 2, 3]],
    ['2–4', [2, 3, 4]],
    ['1, 3-4', [1, 3, 4]],
    // A lone [0] is a (wrong) marker; an interval or a year is not a marker at all.
    ['0', [0]],
    ['0, 1', null],
    ['0-1', null],
    ['3-1', null],
    ['2020', null],
    ['1-200', null],
  ])('[%s] -> %j', (group, nums) => {
    expect(parseMarkerGroup(group)).toEqual(nums);
  });
});

describe('markersIn', () => {
  it('reads the markers of a text in order, groups and ranges expanded, skipping intervals and years', () => {
    expect(markersIn('X [5]. Y [2, 5]. Z [7][1-2]. Scores in [0, 1], as of [2020].')).toEqual([5, 2, 5, 7, 1, 2]);
    expect(markersIn('No markers here, nor [a] or [1a].')).toEqual([]);
  });

  it('matches the same groups as MARKER_GROUP', () => {
    expect([...'A [1][2] b [3, 4] c [5-6].'.matchAll(MARKER_GROUP)].map((m) => m[1])).toEqual(['1', '2', '3, 4', '5-6']);
  });
});
