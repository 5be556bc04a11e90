/**
 * The embedded recommender: an in-memory item-to-item co-occurrence model with a popularity prior,
 * trained at start-up from an interactions file and updated online from events, so the default
 * configuration serves real, responsive recommendations with no cloud account.
 *
 * How it scores:
 * - Each user has a history of distinct items (most recent last) with a weight per item: the sum of
 *   its events' weights (View 1, AddToCart 3, Purchase 5, anything else 1), capped.
 * - Two items co-occur once per user who interacted with both (within the user's last
 *   COOCCURRENCE_WINDOW items). Similarity is a cosine over users, damped for small counts:
 *   sim(i, j) = C²/(C + SHRINK) / √(Nᵢ·Nⱼ), with C the co-occurrence count and N the users per item.
 *   Each item keeps its `maxNeighbours` most similar items; counts are capped per item for memory.
 * - A user's affinity for item j is Σ over history items i of weight(i) · recency(i) · sim(i, j),
 *   where recency halves every HISTORY_HALF_LIFE newer items — recent events steer the result.
 * - Scores are 0.95 · affinity / max affinity + 0.05 · popularity / max popularity, so popular items
 *   fill in for users and items with little or no signal. Ties go to the smaller item ID.
 * The `popularity` algorithm scores by popularity alone (optionally decaying with time).
 *
 * Online learning touches only the user's history, the new item's pairs and their neighbour lists:
 * O(window · maxNeighbours) per new (user, item), no retraining.
 *
 * Events come from clients, so learning is bounded: only items the model already knows (from its
 * training data, or vouched for by the caller, e.g. found in the catalogue) are learned unless
 * `learnNewItems` is set, and then at most `maxItems`; one user adds at most MAX_ITEM_WEIGHT to an
 * item's popularity; at most `maxUsers` users are remembered, the least recently active forgotten.
 */
import { performance } from 'node:perf_hooks';
import { type Interaction, readInteractionsCsv, type SkippedLine } from './interactions-csv.ts';
import { PopularityIndex } from './popularity-index.ts';
import { topK } from './top-k.ts';

export type Algorithm = 'cooccurrence' | 'popularity';

export interface LearnEvent {
  userId: string;
  itemId: string;
  eventType?: string;
  /** Epoch seconds; the model's clock when absent. */
  timestamp?: number;
}

/** A type alias (not an interface) so it fits the origins' open-ended RecommendedItem. */
export type ScoredItem = { itemId: string; score: number };

export interface ModelOptions {
  /** Default 'cooccurrence'. */
  algorithm?: Algorithm;
  /** Weight per event type, merged over the defaults; names match ignoring case and non-alphanumerics. */
  eventWeights?: Record<string, number>;
  /** Most similar items kept per item (default 50). */
  maxNeighbours?: number;
  /** Co-occurrence counts kept per item; the smallest are dropped beyond twice this (default 200). */
  maxCounts?: number;
  /** Distinct items remembered per user, most recent kept (default 500). */
  maxHistory?: number;
  /** Popularity halves every this many days of event time; no decay when absent. */
  popularityHalfLifeDays?: number;
  /** Milliseconds since the epoch; stamps events that carry no timestamp (default Date.now). */
  clock?: () => number;
  /** Learn events for items the model has never seen (default false: such events are ignored). */
  learnNewItems?: boolean;
  /** Items the model holds at most; events for further new items are ignored (default 1,000,000). */
  maxItems?: number;
  /** Users remembered at most; the least recently active is forgotten first (default 100,000). */
  maxUsers?: number;
}

export interface LearnOptions {
  /** New item IDs to learn even without `learnNewItems` (e.g. found in the namespace's catalogue). */
  newItems?: ReadonlySet<string>;
}

export interface LearnReport {
  learned: number;
  /** Events for unknown items (or past `maxItems`), or without a user or item. */
  ignored: number;
}

export interface RecommendOptions {
  /** Item IDs never to return. */
  exclude?: ReadonlySet<string>;
  /** Leave out items the user already interacted with (default true). */
  excludeInteracted?: boolean;
}

export interface RelatedOptions {
  /** With a user, items that user already interacted with are left out (unless excludeInteracted is false). */
  userId?: string;
  excludeInteracted?: boolean;
}

export interface TrainingReport {
  /** Interactions learned from the file. */
  interactions: number;
  users: number;
  items: number;
  /** Malformed lines skipped; `skippedLines` lists the first 20. */
  skipped: number;
  skippedLines: SkippedLine[];
  durationMs: number;
}

const DEFAULT_EVENT_WEIGHTS: Record<string, number> = { view: 1, click: 1, addtocart: 3, purchase: 5 };
const UNKNOWN_EVENT_WEIGHT = 1;
/** One item's weight in a user's history never exceeds this, however often it is viewed. */
const MAX_ITEM_WEIGHT = 10;
const COOCCURRENCE_WINDOW = 100;
const HISTORY_HALF_LIFE = 5;
/** Only the most recent history items score; older ones would weigh under 0.001 anyway. */
const SCORED_HISTORY = 10 * HISTORY_HALF_LIFE;
const SHRINK = 2;
const POPULARITY_SHARE = 0.05;
const MAX_SKIPPED_LINES = 20;

const normaliseEventType = (eventType: string) => eventType.toLowerCase().replace(/[^a-z0-9]/g, '');
/** Damped co-occurrence count: small counts are weak evidence. */
const damp = (count: number) => (count * count) / (count + SHRINK);
/**
 * A score to 6 significant digits, so answers stay short. Scores are in [0, 1]: scaled into
 * [10⁵, 10⁶) and rounded there, six times faster than `Number(score.toPrecision(6))`, which it equals
 * except within a rounding error of a half-way case, where the two may differ in the sixth digit.
 */
function round(score: number): number {
  if (!(score >= 1e-9 && score <= 1)) return Number(score.toPrecision(6));
  let scale = 1e5;
  while (score * scale < 1e5) scale *= 10;
  return Math.round(score * scale) / scale;
}

function positiveInt(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`${name} must be a positive integer`);
  return value;
}

/**
 * In-memory recommender for one interactions source.
 *
 * @example
 * const model = new Model({ algorithm: 'cooccurrence' });
 * model.learn([{ userId: 'u1', itemId: 'a', eventType: 'View' }, { userId: 'u1', itemId: 'b' }]);
 * model.recommend('u2', 10);            // popular items for an unknown user
 * model.related('a', 5);                // [{ itemId: 'b', score: … }, …]
 * model.rerank('u1', ['x', 'b', 'a']);  // all three, 'x' (unknown) last
 */
export class Model {
  readonly algorithm: Algorithm;
  private readonly eventWeights: Map<string, number>;
  private readonly maxNeighbours: number;
  private readonly maxCounts: number;
  private readonly maxHistory: number;
  private readonly popularityHalfLife?: number;
  private readonly clock: () => number;
  private readonly learnNewItems: boolean;
  private readonly maxItems: number;
  private readonly maxUsers: number;
  private readonly recency: Float64Array;

  private readonly ids: string[] = [];
  private readonly index = new Map<string, number>();
  /** Per user: item index → accumulated event weight, least recent first. */
  private readonly users = new Map<string, Map<number, number>>();
  /** Users who interacted with each item. */
  private readonly userCount: number[] = [];
  private readonly popularity: number[] = [];
  /** Item indexes by popularity, best first. */
  private readonly popular = new PopularityIndex((a, b) => this.morePopular(a, b));
  /** Event time popularity weights are relative to (seconds); set by the first event when decaying. */
  private popularityEpoch?: number;
  /** Co-occurrence counts per item, and the neighbour lists picked from them: indexes, and damped counts (damp(count), what scoring multiplies by). */
  private readonly counts: Map<number, number>[] = [];
  private readonly neighbours: number[][] = [];
  private readonly neighbourWeights: number[][] = [];

  /**
   * Scratch space for scoring, indexed by item; the first `touchedCount` of `touched` list the entries
   * in use. Like every array here it is sized to the items and kept between requests, so a request
   * allocates only its answer (a plain array emptied with `length = 0` would give up its storage).
   */
  private scratch = new Float64Array(1024);
  private scores = new Float64Array(1024);
  private marked = new Uint8Array(1024);
  private touched = new Int32Array(1024);
  private touchedCount = 0;
  /** Items the current request must not return (its user's history, its source item), marked by index. */
  private blockedMark = new Uint8Array(1024);
  private blocked = new Int32Array(1024);
  private blockedCount = 0;
  /** pick's candidates. */
  private candidates = new Int32Array(1024);

  constructor(options: ModelOptions = {}) {
    this.algorithm = options.algorithm ?? 'cooccurrence';
    this.eventWeights = new Map(Object.entries(DEFAULT_EVENT_WEIGHTS));
    for (const [type, weight] of Object.entries(options.eventWeights ?? {})) {
      if (!(Number.isFinite(weight) && weight > 0)) throw new RangeError(`event weight of '${type}' must be > 0`);
      this.eventWeights.set(normaliseEventType(type), weight);
    }
    this.maxNeighbours = positiveInt('maxNeighbours', options.maxNeighbours, 50);
    this.maxCounts = positiveInt('maxCounts', options.maxCounts, 200);
    this.maxHistory = positiveInt('maxHistory', options.maxHistory, 500);
    if (options.popularityHalfLifeDays !== undefined) {
      if (!(options.popularityHalfLifeDays > 0)) throw new RangeError('popularityHalfLifeDays must be > 0');
      this.popularityHalfLife = options.popularityHalfLifeDays * 86_400;
    }
    this.clock = options.clock ?? Date.now;
    this.learnNewItems = options.learnNewItems ?? false;
    this.maxItems = positiveInt('maxItems', options.maxItems, 1_000_000);
    this.maxUsers = positiveInt('maxUsers', options.maxUsers, 100_000);
    this.recency = new Float64Array(SCORED_HISTORY);
    for (let r = 0; r < SCORED_HISTORY; r++) this.recency[r] = 0.5 ** (r / HISTORY_HALF_LIFE);
  }

  /**
   * Learns events as they happen: cheap, incremental, in the order given. Events without a user or
   * item ID, and events for items the model may not learn (see the class comment), are ignored.
   */
  learn(events: readonly LearnEvent[], options: LearnOptions = {}): LearnReport {
    let learned = 0;
    for (const event of events) {
      if (!event.userId || !event.itemId) continue;
      const known = this.index.get(event.itemId);
      if (known === undefined) {
        const allowed = this.learnNewItems || options.newItems?.has(event.itemId) === true;
        if (!allowed || this.ids.length >= this.maxItems) continue;
      }
      learned++;
      const timestamp =
        event.timestamp !== undefined && Number.isFinite(event.timestamp) ? event.timestamp : this.clock() / 1000;
      const item = known ?? this.itemIndex(event.itemId);
      const weight = this.weightOf(event.eventType);
      const history = this.historyOf(event.userId);
      this.addPopularity(item, this.countedWeight(history, item, weight), timestamp);
      this.popular.update(item);
      const isNew = !history.has(item);
      if (isNew && this.algorithm === 'cooccurrence') {
        let skip = history.size - COOCCURRENCE_WINDOW;
        for (const other of history.keys()) {
          if (skip-- > 0) continue;
          const count = this.bump(item, other);
          this.bump(other, item);
          this.offerNeighbour(item, other, count);
          this.offerNeighbour(other, item, count);
        }
      }
      this.addToHistory(history, item, weight);
    }
    return { learned, ignored: events.length - learned };
  }

  /**
   * Trains from interactions in bulk: sorted by time (ties keep input order) and learned like events,
   * except that co-occurrences are counted item by item at the end, each item's neighbours picked once.
   */
  train(interactions: readonly Interaction[]): void {
    const ordered = interactions.map((row, i) => ({ row, i }));
    ordered.sort((a, b) => a.row.timestamp - b.row.timestamp || a.i - b.i);
    /** Per user, distinct items in order of first interaction (the pairing window runs over these). */
    const sequences = new Map<string, number[]>();
    for (const { row } of ordered) {
      const item = this.itemIndex(row.itemId);
      const weight = this.weightOf(row.eventType);
      const history = this.historyOf(row.userId);
      this.addPopularity(item, this.countedWeight(history, item, weight), row.timestamp);
      if (!history.has(item)) {
        let sequence = sequences.get(row.userId);
        if (!sequence) {
          sequence = [];
          sequences.set(row.userId, sequence);
        }
        sequence.push(item);
      }
      this.addToHistory(history, item, weight);
    }
    this.popular.rebuild();
    if (this.algorithm === 'cooccurrence') this.countCooccurrences([...sequences.values()]);
  }

  /** Whether the model knows the item (from training or learning). */
  has(itemId: string): boolean {
    return this.index.has(itemId);
  }

  /** Users and items the model knows. */
  size(): { users: number; items: number } {
    return { users: this.users.size, items: this.ids.length };
  }

  /**
   * Up to n items for a user, best first: from the user's history by co-occurrence, filled up with
   * popular items (all popular items for an unknown user or the popularity algorithm).
   */
  recommend(userId: string, n: number, options: RecommendOptions = {}): ScoredItem[] {
    const history = this.users.get(userId);
    this.beginScoring();
    if (history) {
      this.scoreAffinity(history);
      if (options.excludeInteracted !== false) for (const item of history.keys()) this.block(item);
    }
    for (const itemId of options.exclude ?? []) {
      const item = this.index.get(itemId);
      if (item !== undefined) this.block(item);
    }
    return this.pick(n);
  }

  /**
   * Up to n items related to an item, best first, never the item itself: its co-occurring items,
   * filled up with popular items (all popular items for an unknown item or the popularity algorithm).
   */
  related(itemId: string, n: number, options: RelatedOptions = {}): ScoredItem[] {
    const source = this.index.get(itemId);
    const history = options.userId === undefined ? undefined : this.users.get(options.userId);
    this.beginScoring();
    if (source !== undefined) this.block(source);
    if (history && options.excludeInteracted !== false) for (const item of history.keys()) this.block(item);
    if (source !== undefined && this.algorithm === 'cooccurrence') {
      const list = this.neighbours[source] as number[];
      const weights = this.neighbourWeights[source] as number[];
      for (let k = 0; k < list.length; k++) {
        const item = list[k] as number;
        this.touch(item);
        this.scratch[item] = (weights[k] as number) / Math.sqrt(this.userCount[item] as number);
      }
    }
    return this.pick(n);
  }

  /**
   * All given item IDs (duplicates dropped), ordered by the user's affinity as in `recommend`;
   * items the model does not know come last with score 0, in the order given. Ties keep input order.
   */
  rerank(userId: string, itemIds: readonly string[]): ScoredItem[] {
    const history = this.users.get(userId);
    this.beginScoring();
    if (history) this.scoreAffinity(history);
    const maxAffinity = this.maxScratch();
    const maxPopularity = this.maxPopularity();
    const known: Array<{ itemId: string; score: number }> = [];
    const unknown: ScoredItem[] = [];
    const seen = new Set<string>();
    for (const itemId of itemIds) {
      if (seen.has(itemId)) continue;
      seen.add(itemId);
      const item = this.index.get(itemId);
      if (item === undefined) unknown.push({ itemId, score: 0 });
      else known.push({ itemId, score: this.blend(item, maxAffinity, maxPopularity) });
    }
    this.endScoring();
    known.sort((a, b) => b.score - a.score);
    return [...known.map((k) => ({ itemId: k.itemId, score: round(k.score) })), ...unknown];
  }

  // -------------------------------------------------------------------------------------------
  // Learning
  // -------------------------------------------------------------------------------------------

  private weightOf(eventType: string | undefined): number {
    if (!eventType) return UNKNOWN_EVENT_WEIGHT;
    return this.eventWeights.get(normaliseEventType(eventType)) ?? UNKNOWN_EVENT_WEIGHT;
  }

  private itemIndex(itemId: string): number {
    let item = this.index.get(itemId);
    if (item !== undefined) return item;
    item = this.ids.length;
    this.ids.push(itemId);
    this.index.set(itemId, item);
    this.userCount.push(0);
    this.popularity.push(0);
    this.popular.add(item);
    this.counts.push(new Map());
    this.neighbours.push([]);
    this.neighbourWeights.push([]);
    if (item >= this.scratch.length) {
      // Outside scoring every mark is clear and every list empty, so the larger arrays start empty too.
      const size = this.scratch.length * 2;
      this.scratch = new Float64Array(size);
      this.scores = new Float64Array(size);
      this.marked = new Uint8Array(size);
      this.blockedMark = new Uint8Array(size);
      this.touched = new Int32Array(size);
      this.blocked = new Int32Array(size);
      this.candidates = new Int32Array(size);
    }
    return item;
  }

  /** The user's history, now the most recently active; a new user may push out the least recent one. */
  private historyOf(userId: string): Map<number, number> {
    let history = this.users.get(userId);
    if (history) this.users.delete(userId);
    else {
      history = new Map();
      if (this.users.size >= this.maxUsers) this.users.delete(this.users.keys().next().value as string);
    }
    this.users.set(userId, history);
    return history;
  }

  /** What an event adds to its item's popularity: one user adds at most MAX_ITEM_WEIGHT per item. */
  private countedWeight(history: Map<number, number>, item: number, weight: number): number {
    return Math.max(0, Math.min(weight, MAX_ITEM_WEIGHT - (history.get(item) ?? 0)));
  }

  /** Adds weight to a user's item and makes it the most recent; a first interaction counts the user. */
  private addToHistory(history: Map<number, number>, item: number, weight: number): void {
    const previous = history.get(item);
    if (previous === undefined) this.userCount[item] = (this.userCount[item] as number) + 1;
    else history.delete(item);
    history.set(item, (previous ?? 0) + weight);
    if (history.size > this.maxHistory) history.delete(history.keys().next().value as number);
  }

  /**
   * Bulk co-occurrence counting: for one item at a time, a dense counter over all items collects the
   * items within COOCCURRENCE_WINDOW of it in every user's sequence; its strongest counts are kept.
   */
  private countCooccurrences(sequences: number[][]): void {
    const postings: number[][] = this.ids.map(() => []);
    sequences.forEach((sequence, s) => {
      sequence.forEach((item, position) => {
        (postings[item] as number[]).push(s, position);
      });
    });
    const counter = new Uint32Array(this.ids.length);
    const seen: number[] = [];
    for (let item = 0; item < this.ids.length; item++) {
      const list = postings[item] as number[];
      for (let k = 0; k < list.length; k += 2) {
        const sequence = sequences[list[k] as number] as number[];
        const position = list[k + 1] as number;
        const end = Math.min(sequence.length, position + COOCCURRENCE_WINDOW);
        for (let q = Math.max(0, position - COOCCURRENCE_WINDOW + 1); q < end; q++) {
          const other = sequence[q] as number;
          if (other === item) continue;
          if (counter[other] === 0) seen.push(other);
          counter[other] = (counter[other] as number) + 1;
        }
      }
      const kept =
        seen.length <= this.maxCounts
          ? seen
          : topK(seen, this.maxCounts, (a, b) => {
              const ca = counter[a] as number;
              const cb = counter[b] as number;
              return ca > cb || (ca === cb && a < b);
            });
      const counts = this.counts[item] as Map<number, number>;
      for (const other of kept) counts.set(other, counter[other] as number);
      for (const other of seen) counter[other] = 0;
      seen.length = 0;
      this.pickNeighbours(item);
    }
  }

  private addPopularity(item: number, weight: number, timestamp: number): void {
    let amount = weight;
    if (this.popularityHalfLife !== undefined) {
      this.popularityEpoch ??= timestamp;
      let exponent = (timestamp - this.popularityEpoch) / this.popularityHalfLife;
      if (exponent > 512) {
        // Rebase before the numbers overflow: scaling every item alike keeps the order.
        const scale = 0.5 ** exponent;
        for (let i = 0; i < this.popularity.length; i++) this.popularity[i] = (this.popularity[i] as number) * scale;
        this.popularityEpoch = timestamp;
        exponent = 0;
      }
      amount = weight * 2 ** exponent;
    }
    this.popularity[item] = (this.popularity[item] as number) + amount;
  }

  private morePopular(a: number, b: number): boolean {
    const pa = this.popularity[a] as number;
    const pb = this.popularity[b] as number;
    return pa > pb || (pa === pb && (this.ids[a] as string) < (this.ids[b] as string));
  }

  /** Increments the co-occurrence count of `other` in `item`'s counts; returns the new count. */
  private bump(item: number, other: number): number {
    const counts = this.counts[item] as Map<number, number>;
    const count = (counts.get(other) ?? 0) + 1;
    counts.set(other, count);
    if (counts.size > 2 * this.maxCounts) {
      const kept = topK(counts.entries(), this.maxCounts, ([a, ca], [b, cb]) => ca > cb || (ca === cb && a < b));
      counts.clear();
      for (const [k, c] of kept) counts.set(k, c);
    }
    return count;
  }

  /** Similarity of a neighbour to its item from its damped count, leaving out the item's own (shared) user count. */
  private neighbourStrength(other: number, weight: number): number {
    return weight / Math.sqrt(this.userCount[other] as number);
  }

  private strongerNeighbour(a: number, strengthA: number, b: number, strengthB: number): boolean {
    return strengthA > strengthB || (strengthA === strengthB && (this.ids[a] as string) < (this.ids[b] as string));
  }

  /** Rebuilds an item's neighbour list from its counts. */
  private pickNeighbours(item: number): void {
    const counts = this.counts[item] as Map<number, number>;
    const others: number[] = [];
    const pairCounts: number[] = [];
    const strengths: number[] = [];
    for (const [other, count] of counts) {
      others.push(other);
      pairCounts.push(count);
      strengths.push(this.neighbourStrength(other, damp(count)));
    }
    const best = topK(others.keys(), this.maxNeighbours, (a, b) =>
      this.strongerNeighbour(others[a] as number, strengths[a] as number, others[b] as number, strengths[b] as number),
    );
    this.neighbours[item] = best.map((k) => others[k] as number);
    this.neighbourWeights[item] = best.map((k) => damp(pairCounts[k] as number));
  }

  /** Online update of one neighbour list: refresh the pair's count, or let it replace the weakest entry. */
  private offerNeighbour(item: number, other: number, count: number): void {
    const list = this.neighbours[item] as number[];
    const weights = this.neighbourWeights[item] as number[];
    const weight = damp(count);
    const at = list.indexOf(other);
    if (at >= 0) {
      weights[at] = weight;
      return;
    }
    if (list.length < this.maxNeighbours) {
      list.push(other);
      weights.push(weight);
      return;
    }
    let weakest = 0;
    let weakestStrength = this.neighbourStrength(list[0] as number, weights[0] as number);
    for (let k = 1; k < list.length; k++) {
      const strength = this.neighbourStrength(list[k] as number, weights[k] as number);
      if (this.strongerNeighbour(list[weakest] as number, weakestStrength, list[k] as number, strength)) {
        weakest = k;
        weakestStrength = strength;
      }
    }
    if (
      this.strongerNeighbour(other, this.neighbourStrength(other, weight), list[weakest] as number, weakestStrength)
    ) {
      list[weakest] = other;
      weights[weakest] = weight;
    }
  }

  // -------------------------------------------------------------------------------------------
  // Scoring
  // -------------------------------------------------------------------------------------------

  private beginScoring(): void {
    this.touchedCount = 0;
  }

  private touch(item: number): void {
    if (this.marked[item]) return;
    this.marked[item] = 1;
    this.scratch[item] = 0;
    this.touched[this.touchedCount++] = item;
  }

  private block(item: number): void {
    if (this.blockedMark[item]) return;
    this.blockedMark[item] = 1;
    this.blocked[this.blockedCount++] = item;
  }

  private endScoring(): void {
    for (let i = 0; i < this.touchedCount; i++) this.marked[this.touched[i] as number] = 0;
    this.touchedCount = 0;
    for (let i = 0; i < this.blockedCount; i++) this.blockedMark[this.blocked[i] as number] = 0;
    this.blockedCount = 0;
  }

  /** Accumulates the user's affinity per item into the scratch space. */
  private scoreAffinity(history: Map<number, number>): void {
    if (this.algorithm !== 'cooccurrence') return;
    let rank = history.size - 1;
    for (const [source, weight] of history) {
      if (rank >= SCORED_HISTORY) {
        rank--;
        continue;
      }
      const factor =
        (Math.min(weight, MAX_ITEM_WEIGHT) * (this.recency[rank--] as number)) /
        Math.sqrt(this.userCount[source] as number);
      const list = this.neighbours[source] as number[];
      const weights = this.neighbourWeights[source] as number[];
      for (let k = 0; k < list.length; k++) {
        const item = list[k] as number;
        if (!this.marked[item]) {
          this.marked[item] = 1;
          this.scratch[item] = 0;
          this.touched[this.touchedCount++] = item;
        }
        this.scratch[item] = (this.scratch[item] as number) + factor * (weights[k] as number);
      }
    }
    for (let i = 0; i < this.touchedCount; i++) {
      const item = this.touched[i] as number;
      this.scratch[item] = (this.scratch[item] as number) / Math.sqrt(this.userCount[item] as number);
    }
  }

  private maxPopularity(): number {
    const top = this.popular.top();
    return top === undefined ? 0 : (this.popularity[top] as number);
  }

  private maxScratch(): number {
    let max = 0;
    for (let i = 0; i < this.touchedCount; i++) max = Math.max(max, this.scratch[this.touched[i] as number] as number);
    return max;
  }

  /** Final score of an item from its affinity in the scratch space (0 when untouched) and its popularity. */
  private blend(item: number, maxAffinity: number, maxPopularity: number): number {
    const popularity = maxPopularity > 0 ? (this.popularity[item] as number) / maxPopularity : 0;
    if (this.algorithm === 'popularity') return popularity;
    const affinity = this.marked[item] && maxAffinity > 0 ? (this.scratch[item] as number) / maxAffinity : 0;
    return (1 - POPULARITY_SHARE) * affinity + POPULARITY_SHARE * popularity;
  }

  /**
   * The n best items by blended score among the scored items and enough popular ones to fill up, so
   * the result is exact without scoring the whole catalogue. Ends the scoring.
   */
  private pick(n: number): ScoredItem[] {
    if (n <= 0) {
      this.endScoring();
      return [];
    }
    const maxAffinity = this.maxScratch();
    const maxPopularity = this.maxPopularity();
    const blocked = this.blockedMark;
    // At most every item once: the touched ones not blocked, then untouched popular ones.
    const candidates = this.candidates;
    let count = 0;
    for (let i = 0; i < this.touchedCount; i++) {
      const item = this.touched[i] as number;
      if (!blocked[item]) candidates[count++] = item;
    }
    let untouched = 0;
    for (let rank = 0; untouched < n; rank++) {
      const item = this.popular.ranked(rank);
      if (item === undefined) break;
      if (this.marked[item] || blocked[item]) continue;
      candidates[count++] = item;
      untouched++;
    }
    const scores = this.scores;
    for (let i = 0; i < count; i++) {
      const item = candidates[i] as number;
      scores[item] = this.blend(item, maxAffinity, maxPopularity);
    }
    this.endScoring();
    const best = topK(candidates.subarray(0, count), n, (a, b) => {
      const sa = scores[a] as number;
      const sb = scores[b] as number;
      return sa > sb || (sa === sb && (this.ids[a] as string) < (this.ids[b] as string));
    });
    return best.map((item) => ({ itemId: this.ids[item] as string, score: round(scores[item] as number) }));
  }
}

/**
 * Trains a model from an interactions CSV (see interactions-csv.ts); without a file, an empty model
 * that learns from events only.
 *
 * @example
 * const { model, report } = await trainModel('samples/local/interactions.csv', { algorithm: 'cooccurrence' });
 * console.log(`${report.interactions} interactions, ${report.skipped} lines skipped`);
 */
export async function trainModel(
  file: string | undefined,
  options: ModelOptions = {},
): Promise<{ model: Model; report: TrainingReport }> {
  const started = performance.now();
  const model = new Model(options);
  const rows: Interaction[] = [];
  const skippedLines: SkippedLine[] = [];
  let skipped = 0;
  if (file !== undefined) {
    for await (const row of readInteractionsCsv(file, (line) => {
      skipped++;
      if (skippedLines.length < MAX_SKIPPED_LINES) skippedLines.push(line);
    })) {
      rows.push(row);
    }
  }
  model.train(rows);
  return {
    model,
    report: {
      interactions: rows.length,
      ...model.size(),
      skipped,
      skippedLines,
      durationMs: performance.now() - started,
    },
  };
}
