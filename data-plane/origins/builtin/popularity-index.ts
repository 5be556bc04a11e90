/**
 * Items in order of popularity, kept as a tournament tree: every node holds the better of its two
 * children, so an item's popularity can change in O(log n) and the items can be read best first in
 * O(log n) each. The embedded recommender learns from events as they arrive; keeping a sorted array
 * instead made every event on a cold item move it past all items of equal popularity, and 40,000 new
 * items took seconds. What the best-first walk has read is kept until the next change, so requests
 * between events (the common case: many reads per write) read the top items as a plain array.
 */
export class PopularityIndex {
  /** Node → best item below it (-1 for none); node 1 is the root, leaves start at `capacity`. */
  private tree = new Int32Array(2).fill(-1);
  private capacity = 1;
  private count = 0;
  /** Items the walk has read so far, best first; emptied by every change. */
  private readonly order: number[] = [];
  private walk: Generator<number> | undefined;

  /** `better(a, b)`: whether item a ranks before item b; a strict total order (break ties). */
  constructor(private readonly better: (a: number, b: number) => boolean) {}

  /** Items held. */
  get size(): number {
    return this.count;
  }

  /** Adds the next item index (items are dense: 0, 1, 2, …). */
  add(item: number): void {
    if (item !== this.count) throw new RangeError(`expected item ${this.count}, got ${item}`);
    this.count++;
    this.forgetOrder();
    if (this.count > this.capacity) {
      this.capacity *= 2;
      this.tree = new Int32Array(2 * this.capacity).fill(-1);
      for (let i = 0; i < this.count; i++) this.tree[this.capacity + i] = i;
      this.rebuild();
      return;
    }
    this.tree[this.capacity + item] = item;
    this.update(item);
  }

  /** Re-ranks an item after its popularity changed, in either direction. */
  update(item: number): void {
    this.forgetOrder();
    let node = (this.capacity + item) >> 1;
    while (node >= 1) {
      this.tree[node] = this.best(this.tree[2 * node] as number, this.tree[2 * node + 1] as number);
      node >>= 1;
    }
  }

  /** Recomputes every node: after many popularity changes at once (bulk training). O(n). */
  rebuild(): void {
    this.forgetOrder();
    for (let node = this.capacity - 1; node >= 1; node--) {
      this.tree[node] = this.best(this.tree[2 * node] as number, this.tree[2 * node + 1] as number);
    }
  }

  /** The most popular item, or undefined when empty. */
  top(): number | undefined {
    const item = this.tree[1] as number;
    return item < 0 ? undefined : item;
  }

  /**
   * The item at `rank` (0 is the most popular), or undefined past the last. Reads the walk below only
   * as far as asked and keeps what it read until the next change: O(1) per rank already read.
   */
  ranked(rank: number): number | undefined {
    const order = this.order;
    while (order.length <= rank) {
      this.walk ??= this.descending();
      const next = this.walk.next();
      if (next.done) return undefined;
      order.push(next.value);
    }
    return order[rank];
  }

  /**
   * Items best first, lazily: a best-first walk of the tree whose frontier is a small heap of nodes,
   * so reading k items costs O(k log n) however many there are.
   */
  private *descending(): Generator<number> {
    if (this.tree[1]! < 0) return;
    const frontier: number[] = [1];
    const ahead = (i: number, j: number) =>
      this.better(this.tree[frontier[i]!] as number, this.tree[frontier[j]!] as number);
    while (frontier.length > 0) {
      const node = frontier[0]!;
      const last = frontier.pop()!;
      if (frontier.length > 0) {
        frontier[0] = last;
        siftDown(frontier, 0, ahead);
      }
      if (node >= this.capacity) {
        yield this.tree[node] as number;
        continue;
      }
      for (const child of [2 * node, 2 * node + 1]) {
        if ((this.tree[child] as number) < 0) continue;
        frontier.push(child);
        siftUp(frontier, frontier.length - 1, ahead);
      }
    }
  }

  private forgetOrder(): void {
    this.order.length = 0;
    this.walk = undefined;
  }

  private best(a: number, b: number): number {
    if (a < 0) return b;
    if (b < 0) return a;
    return this.better(a, b) ? a : b;
  }
}

function siftUp(heap: number[], at: number, ahead: (i: number, j: number) => boolean): void {
  let i = at;
  while (i > 0) {
    const parent = (i - 1) >> 1;
    if (!ahead(i, parent)) return;
    [heap[i], heap[parent]] = [heap[parent]!, heap[i]!];
    i = parent;
  }
}

function siftDown(heap: number[], at: number, ahead: (i: number, j: number) => boolean): void {
  let i = at;
  for (;;) {
    const left = 2 * i + 1;
    const right = left + 1;
    let first = i;
    if (left < heap.length && ahead(left, first)) first = left;
    if (right < heap.length && ahead(right, first)) first = right;
    if (first === i) return;
    [heap[i], heap[first]] = [heap[first]!, heap[i]!];
    i = first;
  }
}
