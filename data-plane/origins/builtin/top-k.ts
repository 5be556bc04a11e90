/**
 * Picks the k best of many candidates without sorting them all: a bounded heap whose root is the
 * worst kept candidate. The embedded recommender scores thousands of items per request and returns
 * a few dozen, so this keeps a request at O(candidates · log k).
 */

/**
 * The k best candidates, best first. `better(a, b)` must be a strict total order (break ties).
 *
 * @example
 * topK([3, 1, 2], 2, (a, b) => a > b); // [3, 2]
 */
export function topK<T>(candidates: Iterable<T> | ArrayLike<T>, k: number, better: (a: T, b: T) => boolean): T[] {
  const heap: T[] = [];
  if (k <= 0) return heap;
  const worse = (i: number, j: number) => better(heap[j] as T, heap[i] as T);
  const swap = (i: number, j: number) => {
    const t = heap[i] as T;
    heap[i] = heap[j] as T;
    heap[j] = t;
  };
  const siftDown = (start: number) => {
    let i = start;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let w = i;
      if (l < heap.length && worse(l, w)) w = l;
      if (r < heap.length && worse(r, w)) w = r;
      if (w === i) return;
      swap(i, w);
      i = w;
    }
  };
  const offer = (c: T) => {
    if (heap.length < k) {
      heap.push(c);
      let i = heap.length - 1;
      while (i > 0) {
        const parent = (i - 1) >> 1;
        if (!worse(i, parent)) break;
        swap(i, parent);
        i = parent;
      }
    } else if (better(c, heap[0] as T)) {
      heap[0] = c;
      siftDown(0);
    }
  };
  // An index loop over arrays: iterating one would allocate a result object per candidate here, as
  // the iterator is not optimised away in a function called with maps' iterators too.
  if ('length' in candidates) for (let i = 0; i < candidates.length; i++) offer(candidates[i] as T);
  else for (const c of candidates) offer(c);
  return heap.sort((a, b) => (better(a, b) ? -1 : better(b, a) ? 1 : 0));
}
