/**
 * Generates the sample data of the embedded default: a retail catalogue (`items.jsonl`) and shopper
 * interactions in Amazon Personalize's interactions format (`interactions.csv`).
 *
 * The output is committed, so it must be reproducible byte for byte: everything is drawn from one
 * seeded PRNG (mulberry32) and only exact arithmetic (integers, +, *, /) decides what is written.
 * Shoppers have 1–3 favourite categories and a favourite style in each, items have skewed popularity,
 * and views turn into add-to-carts and purchases through a funnel — so popularity and co-occurrence
 * carry a real signal for the embedded recommender to find.
 *
 * Run `npx tsx samples/local/generate.ts [OUT_DIR]` (default: this folder) after changing it;
 * test/samples/local-data.test.ts fails while the committed files are stale.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const ITEM_COUNT = 2_000;
export const USER_COUNT = 500;
export const INTERACTIONS_HEADER = 'USER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE';

const SEED = 20_261_001;
/** 2026-09-30T00:00:00Z; interactions cover the 90 days before it. */
const END = Date.UTC(2026, 8, 30) / 1000;
const DAY = 86_400;
const SPAN_DAYS = 90;

type Gender = 'M' | 'F';

interface Style {
  key: string;
  nouns: string[];
}

interface Category {
  key: string;
  styles: Style[];
  materials: string[];
  features: string[];
  uses: string[];
  /** Price range in cents. */
  price: [number, number];
  gendered: boolean;
}

const CATEGORIES: Category[] = [
  {
    key: 'footwear',
    styles: [
      { key: 'sneaker', nouns: ['Sneakers', 'Trainers', 'Court Shoes'] },
      { key: 'boot', nouns: ['Ankle Boots', 'Chelsea Boots', 'Work Boots'] },
      { key: 'sandal', nouns: ['Sandals', 'Slides', 'Espadrilles'] },
      { key: 'formal', nouns: ['Loafers', 'Oxfords', 'Brogues'] },
      { key: 'running', nouns: ['Running Shoes', 'Trail Runners', 'Racing Flats'] },
    ],
    materials: ['full-grain leather', 'breathable mesh', 'recycled canvas', 'soft suede'],
    features: ['a cushioned footbed', 'a grippy rubber outsole', 'a padded collar', 'reinforced stitching'],
    uses: ['everyday wear', 'long walks in the city', 'weekends away'],
    price: [3_900, 18_900],
    gendered: true,
  },
  {
    key: 'apparel',
    styles: [
      { key: 'jacket', nouns: ['Jacket', 'Parka', 'Bomber'] },
      { key: 'shirt', nouns: ['Shirt', 'Polo', 'Tee'] },
      { key: 'knitwear', nouns: ['Sweater', 'Cardigan', 'Hoodie'] },
      { key: 'dress', nouns: ['Dress', 'Skirt', 'Jumpsuit'] },
      { key: 'trousers', nouns: ['Chinos', 'Jeans', 'Joggers'] },
    ],
    materials: ['organic cotton', 'merino wool', 'recycled polyester', 'linen'],
    features: ['a relaxed fit', 'deep pockets', 'a tailored cut', 'a soft brushed finish'],
    uses: ['the office', 'cool evenings', 'travel days'],
    price: [1_900, 24_900],
    gendered: true,
  },
  {
    key: 'accessories',
    styles: [
      { key: 'bag', nouns: ['Tote Bag', 'Backpack', 'Crossbody Bag'] },
      { key: 'wallet', nouns: ['Wallet', 'Card Holder', 'Coin Purse'] },
      { key: 'belt', nouns: ['Belt', 'Braided Belt', 'Reversible Belt'] },
      { key: 'scarf', nouns: ['Scarf', 'Shawl', 'Bandana'] },
      { key: 'hat', nouns: ['Cap', 'Beanie', 'Sun Hat'] },
    ],
    materials: ['vegetable-tanned leather', 'waxed cotton', 'cashmere blend', 'woven straw'],
    features: ['a magnetic clasp', 'hand-finished edges', 'an adjustable strap', 'a lined interior'],
    uses: ['daily commutes', 'gifting', 'finishing an outfit'],
    price: [1_500, 14_900],
    gendered: true,
  },
  {
    key: 'jewelry',
    styles: [
      { key: 'necklace', nouns: ['Necklace', 'Pendant', 'Choker'] },
      { key: 'bracelet', nouns: ['Bracelet', 'Bangle', 'Cuff'] },
      { key: 'earrings', nouns: ['Earrings', 'Studs', 'Hoops'] },
      { key: 'ring', nouns: ['Ring', 'Signet Ring', 'Stacking Ring'] },
      { key: 'watch', nouns: ['Watch', 'Chronograph', 'Dress Watch'] },
    ],
    materials: ['sterling silver', '14k gold plate', 'brushed titanium', 'freshwater pearl'],
    features: ['a secure clasp', 'a hypoallergenic finish', 'a polished shine', 'a minimalist profile'],
    uses: ['special occasions', 'everyday elegance', 'layering'],
    price: [2_500, 39_900],
    gendered: true,
  },
  {
    key: 'beauty',
    styles: [
      { key: 'skincare', nouns: ['Face Serum', 'Moisturiser', 'Cleanser'] },
      { key: 'fragrance', nouns: ['Eau de Parfum', 'Body Mist', 'Cologne'] },
      { key: 'makeup', nouns: ['Lipstick', 'Mascara', 'Foundation'] },
      { key: 'haircare', nouns: ['Shampoo', 'Conditioner', 'Hair Oil'] },
      { key: 'bath', nouns: ['Bath Salts', 'Shower Gel', 'Body Lotion'] },
    ],
    materials: ['botanical extracts', 'hyaluronic acid', 'shea butter', 'essential oils'],
    features: ['a lightweight texture', 'a subtle scent', 'a long-lasting formula', 'a refillable bottle'],
    uses: ['morning routines', 'a little self-care', 'sensitive skin'],
    price: [800, 8_900],
    gendered: true,
  },
  {
    key: 'electronics',
    styles: [
      { key: 'headphones', nouns: ['Headphones', 'Earbuds', 'Headset'] },
      { key: 'speaker', nouns: ['Speaker', 'Soundbar', 'Smart Speaker'] },
      { key: 'camera', nouns: ['Camera', 'Action Cam', 'Webcam'] },
      { key: 'wearable', nouns: ['Smartwatch', 'Fitness Band', 'Smart Ring'] },
      { key: 'power', nouns: ['Charger', 'Power Bank', 'Charging Dock'] },
    ],
    materials: ['an aluminium shell', 'a matte polymer body', 'a fabric-wrapped housing', 'a glass front'],
    features: ['all-day battery life', 'fast USB-C charging', 'Bluetooth 5.3', 'a companion app'],
    uses: ['working from home', 'travel', 'workouts'],
    price: [1_900, 49_900],
    gendered: false,
  },
  {
    key: 'outdoors',
    styles: [
      { key: 'camping', nouns: ['Tent', 'Sleeping Bag', 'Camp Stove'] },
      { key: 'hiking', nouns: ['Daypack', 'Trekking Poles', 'Hydration Pack'] },
      { key: 'fishing', nouns: ['Fishing Rod', 'Tackle Box', 'Reel'] },
      { key: 'cycling', nouns: ['Bike Helmet', 'Bike Light', 'Saddle Bag'] },
      { key: 'climbing', nouns: ['Harness', 'Chalk Bag', 'Carabiner Set'] },
    ],
    materials: ['ripstop nylon', 'anodised aluminium', 'recycled fleece', 'waterproof fabric'],
    features: ['a packable design', 'weather-sealed seams', 'quick-release buckles', 'reflective details'],
    uses: ['weekend trips', 'long trails', 'early starts'],
    price: [1_200, 29_900],
    gendered: false,
  },
  {
    key: 'homedecor',
    styles: [
      { key: 'lighting', nouns: ['Table Lamp', 'Pendant Light', 'Floor Lamp'] },
      { key: 'textiles', nouns: ['Throw', 'Cushion', 'Rug'] },
      { key: 'wall', nouns: ['Wall Mirror', 'Art Print', 'Wall Clock'] },
      { key: 'vases', nouns: ['Vase', 'Planter', 'Bowl'] },
      { key: 'candles', nouns: ['Candle', 'Candle Holder', 'Lantern'] },
    ],
    materials: ['hand-thrown ceramic', 'solid oak', 'woven jute', 'blown glass'],
    features: ['a hand-finished glaze', 'a warm glow', 'a textured surface', 'a timeless silhouette'],
    uses: ['living rooms', 'bedrooms', 'entryways'],
    price: [1_400, 19_900],
    gendered: false,
  },
  {
    key: 'housewares',
    styles: [
      { key: 'cookware', nouns: ['Frying Pan', 'Saucepan', 'Dutch Oven'] },
      { key: 'tableware', nouns: ['Dinner Plates', 'Serving Platter', 'Mug Set'] },
      { key: 'storage', nouns: ['Storage Jars', 'Bread Bin', 'Spice Rack'] },
      { key: 'cutlery', nouns: ['Chef Knife', 'Cutlery Set', 'Steak Knives'] },
      { key: 'glassware', nouns: ['Wine Glasses', 'Tumblers', 'Carafe'] },
    ],
    materials: ['cast iron', 'stoneware', 'stainless steel', 'borosilicate glass'],
    features: ['dishwasher-safe care', 'a non-stick coating', 'a balanced handle', 'stackable shapes'],
    uses: ['family dinners', 'entertaining', 'small kitchens'],
    price: [900, 21_900],
    gendered: false,
  },
  {
    key: 'furniture',
    styles: [
      { key: 'seating', nouns: ['Armchair', 'Lounge Chair', 'Stool'] },
      { key: 'tables', nouns: ['Coffee Table', 'Side Table', 'Dining Table'] },
      { key: 'shelving', nouns: ['Bookshelf', 'Wall Shelf', 'Ladder Shelf'] },
      { key: 'office', nouns: ['Desk', 'Desk Chair', 'Filing Cabinet'] },
      { key: 'bedroom', nouns: ['Bedside Table', 'Dresser', 'Headboard'] },
    ],
    materials: ['solid walnut', 'powder-coated steel', 'rattan', 'oiled ash'],
    features: ['tool-free assembly', 'soft-close drawers', 'a compact footprint', 'rounded edges'],
    uses: ['small apartments', 'home offices', 'reading corners'],
    price: [4_900, 89_900],
    gendered: false,
  },
];

const ADJECTIVES = [
  'Classic',
  'Urban',
  'Coastal',
  'Alpine',
  'Heritage',
  'Modern',
  'Nordic',
  'Vintage',
  'Essential',
  'Studio',
  'Harbor',
  'Summit',
  'Meadow',
  'Metro',
  'Canyon',
  'Willow',
  'Ember',
  'Aurora',
  'Drift',
  'Solstice',
];

const COLOURS = [
  'Black',
  'White',
  'Navy',
  'Olive',
  'Sand',
  'Slate',
  'Rust',
  'Sage',
  'Charcoal',
  'Ivory',
  'Cobalt',
  'Terracotta',
  'Mustard',
  'Forest',
  'Blush',
  'Graphite',
];

export interface SampleItem {
  id: string;
  name: string;
  category: string;
  style: string;
  description: string;
  price: number;
  image_url: string;
  current_stock: number;
  gender_affinity?: Gender;
  where_visible: 'Online' | 'Offline' | 'All';
}

/** mulberry32: a tiny, fast 32-bit PRNG; same seed, same sequence on every platform. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

class Random {
  private readonly next: () => number;
  constructor(seed: number) {
    this.next = mulberry32(seed);
  }
  float(): number {
    return this.next();
  }
  /** Integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  pick<T>(list: readonly T[]): T {
    return list[Math.floor(this.next() * list.length)] as T;
  }
  hex(digits: number): string {
    let out = '';
    while (out.length < digits) out += ((this.next() * 4_294_967_296) >>> 0).toString(16).padStart(8, '0');
    return out.slice(0, digits);
  }
  shuffle<T>(list: T[]): T[] {
    for (let i = list.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      [list[i], list[j]] = [list[j] as T, list[i] as T];
    }
    return list;
  }
}

/** Weighted sampling by binary search over cumulative weights. */
class Weighted<T> {
  private readonly cumulative: number[] = [];
  private total = 0;
  constructor(
    private readonly values: readonly T[],
    weights: readonly number[],
  ) {
    for (const w of weights) {
      this.total += w;
      this.cumulative.push(this.total);
    }
  }
  sample(rnd: Random): T {
    const target = rnd.float() * this.total;
    let lo = 0;
    let hi = this.cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((this.cumulative[mid] as number) > target) hi = mid;
      else lo = mid + 1;
    }
    return this.values[lo] as T;
  }
}

function uuid(rnd: Random): string {
  const h = rnd.hex(32);
  const variant = '89ab'[rnd.int(0, 3)];
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

function makeItems(rnd: Random): SampleItem[] {
  const items: SampleItem[] = [];
  const perCategory = ITEM_COUNT / CATEGORIES.length;
  for (const category of CATEGORIES) {
    for (let i = 0; i < perCategory; i++) {
      const style = category.styles[i % category.styles.length] as Style;
      const noun = rnd.pick(style.nouns);
      const name = `${rnd.pick(ADJECTIVES)} ${rnd.pick(COLOURS)} ${noun}`;
      const id = uuid(rnd);
      const [low, high] = category.price;
      const price = (Math.floor(rnd.int(low, high) / 100) * 100 + 99) / 100;
      const description =
        `${name} made from ${rnd.pick(category.materials)}, with ${rnd.pick(category.features)}. ` +
        `Designed for ${rnd.pick(category.uses)}.`;
      const genderRoll = rnd.float();
      const visibilityRoll = rnd.float();
      items.push({
        id,
        name,
        category: category.key,
        style: style.key,
        description,
        price,
        image_url: `https://images.example.com/retail/${category.key}/${id}.jpg`,
        current_stock: rnd.float() < 0.06 ? 0 : rnd.int(1, 250),
        ...(category.gendered && genderRoll < 0.7 ? { gender_affinity: genderRoll < 0.35 ? 'M' : 'F' } : {}),
        where_visible: visibilityRoll < 0.7 ? 'Online' : visibilityRoll < 0.8 ? 'Offline' : 'All',
      });
    }
  }
  return items;
}

interface Row {
  user: number;
  itemId: string;
  timestamp: number;
  eventType: 'View' | 'AddToCart' | 'Purchase';
}

const EVENT_ORDER = { View: 0, AddToCart: 1, Purchase: 2 } as const;

function makeInteractions(rnd: Random, items: SampleItem[]): Row[] {
  // Skewed popularity: within each category a random permutation gets weights 1/(rank + 3).
  const popularity = new Map<SampleItem, number>();
  for (const category of CATEGORIES) {
    const inCategory = rnd.shuffle(items.filter((it) => it.category === category.key));
    inCategory.forEach((it, rank) => {
      popularity.set(it, 1 / (rank + 3));
    });
  }
  const pool = (list: SampleItem[]) =>
    new Weighted(
      list,
      list.map((it) => popularity.get(it) as number),
    );
  const everything = pool(items);
  const byCategoryStyle = new Map<string, Weighted<SampleItem>>();
  const byCategory = new Map<string, Weighted<SampleItem>>();
  for (const category of CATEGORIES) {
    byCategory.set(category.key, pool(items.filter((it) => it.category === category.key)));
    for (const style of category.styles) {
      const list = items.filter((it) => it.category === category.key && it.style === style.key);
      byCategoryStyle.set(`${category.key}/${style.key}`, pool(list));
    }
  }

  const rows: Row[] = [];
  const start = END - SPAN_DAYS * DAY;
  for (let user = 1; user <= USER_COUNT; user++) {
    const gender: Gender = rnd.float() < 0.5 ? 'M' : 'F';
    const affinityCount = rnd.float() < 0.35 ? 1 : rnd.float() < 0.6 ? 2 : 3;
    const favourites = rnd.shuffle([...CATEGORIES]).slice(0, affinityCount);
    const favouriteStyles = favourites.map((c) => rnd.pick(c.styles).key);
    const favouritePool = new Weighted(
      favourites.map((_, i) => i),
      favourites.map((_, i) => affinityCount - i),
    );
    const skill = rnd.float();
    const views = 14 + Math.floor(skill * skill * 96);
    for (let v = 0; v < views; v++) {
      let item: SampleItem;
      for (;;) {
        if (rnd.float() < 0.85) {
          const f = favouritePool.sample(rnd);
          const category = favourites[f] as Category;
          item =
            rnd.float() < 0.6
              ? (byCategoryStyle.get(`${category.key}/${favouriteStyles[f]}`) as Weighted<SampleItem>).sample(rnd)
              : (byCategory.get(category.key) as Weighted<SampleItem>).sample(rnd);
        } else {
          item = everything.sample(rnd);
        }
        // Shoppers mostly skip items aimed at the other gender.
        if (!item.gender_affinity || item.gender_affinity === gender || rnd.float() < 0.2) break;
      }
      const viewedAt = start + rnd.int(0, SPAN_DAYS * DAY - 3_600);
      rows.push({ user, itemId: item.id, timestamp: viewedAt, eventType: 'View' });
      if (rnd.float() < 0.25) {
        const addedAt = viewedAt + rnd.int(30, 600);
        rows.push({ user, itemId: item.id, timestamp: addedAt, eventType: 'AddToCart' });
        if (rnd.float() < 0.4) {
          rows.push({ user, itemId: item.id, timestamp: addedAt + rnd.int(60, 1_800), eventType: 'Purchase' });
        }
      }
    }
  }
  return rows.sort(
    (a, b) =>
      a.timestamp - b.timestamp ||
      a.user - b.user ||
      (a.itemId < b.itemId ? -1 : a.itemId > b.itemId ? 1 : 0) ||
      EVENT_ORDER[a.eventType] - EVENT_ORDER[b.eventType],
  );
}

/**
 * The sample files' contents, exactly as committed.
 *
 * @example
 * const { itemsJsonl, interactionsCsv } = generateSampleData();
 */
export function generateSampleData(): { itemsJsonl: string; interactionsCsv: string } {
  const rnd = new Random(SEED);
  const items = makeItems(rnd);
  const rows = makeInteractions(rnd, items);
  const itemsJsonl = items.map((it) => `${JSON.stringify(it)}\n`).join('');
  const interactionsCsv = [
    `${INTERACTIONS_HEADER}\n`,
    ...rows.map((r) => `user-${r.user},${r.itemId},${r.timestamp},${r.eventType}\n`),
  ].join('');
  return { itemsJsonl, interactionsCsv };
}

/**
 * Writes `items.jsonl` and `interactions.csv` into `dir`.
 *
 * @example
 * await writeSampleData('samples/local');
 */
export async function writeSampleData(dir: string): Promise<{ items: string; interactions: string }> {
  const { itemsJsonl, interactionsCsv } = generateSampleData();
  await mkdir(dir, { recursive: true });
  const items = join(dir, 'items.jsonl');
  const interactions = join(dir, 'interactions.csv');
  await writeFile(items, itemsJsonl);
  await writeFile(interactions, interactionsCsv);
  return { items, interactions };
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const dir = resolve(process.argv[2] ?? dirname(fileURLToPath(import.meta.url)));
  const written = await writeSampleData(dir);
  console.log(`wrote ${written.items} and ${written.interactions}`);
}
