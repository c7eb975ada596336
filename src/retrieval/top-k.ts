/**
 * Exact top-k by dot product over a row-major Float32Array of vectors: the scan behind the dense
 * stores (`VectorStore` on Node), in plain JavaScript, and the exact re-scoring of the candidates
 * an approximate (SIMD, float32) scan found.
 */

/** The dot product of row `o / dim` of `m` with `q`, summed in doubles over 4 strided lanes: the exact score. */
export function dotAt(m: Float32Array, o: number, q: Float32Array, dim: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let j = 0;
  for (const tail = dim & ~3; j < tail; j += 4) {
    s0 += m[o + j]! * q[j]!;
    s1 += m[o + j + 1]! * q[j + 1]!;
    s2 += m[o + j + 2]! * q[j + 2]!;
    s3 += m[o + j + 3]! * q[j + 3]!;
  }
  for (; j < dim; j++) s0 += m[o + j]! * q[j]!;
  return s0 + s1 + (s2 + s3);
}

/**
 * The k rows of `matrix` (n rows of `dim` float32, row-major) with the largest dot product with
 * `query`, best first. Ties go to the row `tieBreak` puts first (negative: a before b; default:
 * the lower index); it is called only on exactly equal scores, so it may be slow. One pass,
 * dot products unrolled by 4, a k-sized binary min-heap of the best so far: no score array, no
 * sort of n scores, no allocation per row.
 */
export function topKByDot(
  matrix: Float32Array,
  dim: number,
  query: Float32Array,
  k: number,
  tieBreak?: (a: number, b: number) => number,
): { index: number; score: number }[] {
  if (query.length !== dim) throw new Error(`query has dimension ${query.length}; the matrix rows have ${dim}`);
  const n = dim > 0 ? Math.floor(matrix.length / dim) : 0;
  k = Math.min(Math.floor(k), n);
  if (!(k > 0)) return [];
  const heapIndex = new Int32Array(k);
  const heapScore = new Float64Array(k);
  let size = 0;
  /** Whether row a (score sa) ranks below row b (score sb). */
  const worse = (sa: number, a: number, sb: number, b: number) =>
    sa < sb || (sa === sb && (tieBreak ? tieBreak(a, b) > 0 : a > b));
  const siftDown = (score: number, index: number) => {
    let i = 0;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= size) break;
      if (c + 1 < size && worse(heapScore[c + 1]!, heapIndex[c + 1]!, heapScore[c]!, heapIndex[c]!)) c++;
      if (!worse(heapScore[c]!, heapIndex[c]!, score, index)) break;
      heapScore[i] = heapScore[c]!;
      heapIndex[i] = heapIndex[c]!;
      i = c;
    }
    heapScore[i] = score;
    heapIndex[i] = index;
  };
  let floor = -Infinity;
  for (let r = 0, o = 0; r < n; r++, o += dim) {
    const s = dotAt(matrix, o, query, dim);
    if (size < k) {
      // Sift up.
      let i = size++;
      while (i > 0) {
        const p = (i - 1) >> 1;
        if (!worse(s, r, heapScore[p]!, heapIndex[p]!)) break;
        heapScore[i] = heapScore[p]!;
        heapIndex[i] = heapIndex[p]!;
        i = p;
      }
      heapScore[i] = s;
      heapIndex[i] = r;
      if (size === k) floor = heapScore[0]!;
    } else if (s >= floor && worse(heapScore[0]!, heapIndex[0]!, s, r)) {
      siftDown(s, r);
      floor = heapScore[0]!;
    }
  }
  const out: { index: number; score: number }[] = [];
  for (let i = 0; i < size; i++) out.push({ index: heapIndex[i]!, score: heapScore[i]! });
  return out.sort((a, b) => (worse(a.score, a.index, b.score, b.index) ? 1 : -1));
}

/**
 * The exact top k from approximate scores within `slack / 2` of the exact ones: every row whose
 * approximate score is within `slack` of the k-th best approximate score is re-scored with
 * `exact`, and the k best of those kept (ties by `tieBreak`, as in `topKByDot`). No true top-k row
 * can fall outside: the k-th approximate score is at most slack/2 above the k-th exact one.
 */
export function rescoreTopK(
  approx: Float32Array,
  k: number,
  slack: number,
  exact: (row: number) => number,
  tieBreak: (a: number, b: number) => number = (a, b) => a - b,
): { index: number; score: number }[] {
  const n = approx.length;
  k = Math.min(Math.floor(k), n);
  if (!(k > 0)) return [];
  // The k-th largest approximate score: a k-sized min-heap.
  const heap = new Float32Array(k);
  let size = 0;
  for (let i = 0; i < n; i++) {
    const v = approx[i]!;
    if (size < k) {
      let c = size++;
      while (c > 0 && heap[(c - 1) >> 1]! > v) {
        heap[c] = heap[(c - 1) >> 1]!;
        c = (c - 1) >> 1;
      }
      heap[c] = v;
    } else if (v > heap[0]!) {
      let c = 0;
      for (;;) {
        let child = 2 * c + 1;
        if (child >= k) break;
        if (child + 1 < k && heap[child + 1]! < heap[child]!) child++;
        if (heap[child]! >= v) break;
        heap[c] = heap[child]!;
        c = child;
      }
      heap[c] = v;
    }
  }
  const threshold = heap[0]! - slack;
  const candidates: { index: number; score: number }[] = [];
  for (let i = 0; i < n; i++) if (approx[i]! >= threshold) candidates.push({ index: i, score: exact(i) });
  return candidates.sort((a, b) => b.score - a.score || tieBreak(a.index, b.index)).slice(0, k);
}
