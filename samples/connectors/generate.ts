/**
 * Generates the sample connector jobs from the embedded default's data: the builtin recommender is
 * trained on `samples/local/interactions.csv` and answers like an Amazon Personalize batch inference
 * job would — per shopper (user personalization) and per item (related items) — and the catalogue
 * lines of the recommended items become the jobs' `input/item_metadata/`. A few records carry a batch
 * error, as real outputs do. Deterministic: `test/connectors/samples.test.ts` fails while the committed
 * files are stale. Run `npx tsx samples/connectors/generate.ts [OUT_DIR]`.
 */
import { readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { trainModel } from '../../data-plane/origins/builtin/model.ts';

const HERE = dirname(fileURLToPath(import.meta.url));
const LOCAL = join(HERE, '..', 'local');
const RECOMMENDATIONS = 10;
const USERS = 100;
const JOBS = {
  user: 'etl_jobs/user_personalization/shoppers',
  related: 'etl_jobs/related_items/similar-to-last-viewed',
};

const brazeConnector = {
  itemMetadataFields: ['id', 'name', 'category', 'price', 'image_url'],
  attributePrefix: 'recs_',
  otherAttributes: { recs_source: 'p13n-sample' },
};

/** Every file of both jobs, by path relative to the output folder. */
export async function generateSampleJobs(): Promise<Map<string, string>> {
  const { model } = await trainModel(join(LOCAL, 'interactions.csv'));
  const catalogue = new Map<string, string>();
  for (const line of readFileSync(join(LOCAL, 'items.jsonl'), 'utf8').split('\n')) {
    if (line) catalogue.set((JSON.parse(line) as { id: string }).id, line);
  }
  // Each shopper's last viewed item, in the order of the interactions file (sorted by time).
  const lastItem = new Map<string, string>();
  const rows = readFileSync(join(LOCAL, 'interactions.csv'), 'utf8').trim().split('\n').slice(1);
  for (const row of rows) {
    const [user, item] = row.split(',');
    if (user && item) lastItem.set(user, item);
  }
  const users = [...lastItem.keys()].sort((a, b) => Number(a.split('-')[1]) - Number(b.split('-')[1])).slice(0, USERS);
  const files = new Map<string, string>();
  const used = new Set<string>();
  const record = (input: Record<string, string>, items: Array<{ itemId: string; score: number }>) => {
    for (const { itemId } of items) used.add(itemId);
    return JSON.stringify({
      input,
      output: { recommendedItems: items.map((i) => i.itemId), scores: items.map((i) => i.score) },
    });
  };

  const perUser = users.map((userId, i) =>
    i % 97 === 42
      ? JSON.stringify({ input: { userId }, error: 'Recommendations are unavailable for this user.' })
      : record({ userId }, model.recommend(userId, RECOMMENDATIONS)),
  );
  files.set(`${JOBS.user}/batch-output/users.json.out`, `${perUser.join('\n')}\n`);
  files.set(
    `${JOBS.user}/config.json`,
    `${JSON.stringify({ batchInferencePath: 'batch-output/', performDeltaCheck: true, saveBatchInferenceErrors: true, connectors: { braze: brazeConnector } }, null, 2)}\n`,
  );

  const mapped = users.map((user) => [user, lastItem.get(user) as string] as const);
  const seeds = [...new Set(mapped.map(([, item]) => item))].sort();
  const perItem = seeds.map((itemId) => record({ itemId }, model.related(itemId, RECOMMENDATIONS)));
  files.set(`${JOBS.related}/batch-output/items.json.out`, `${perItem.join('\n')}\n`);
  files.set(
    `${JOBS.related}/input/user_item_mapping/last-viewed.csv`,
    `USER_ID,ITEM_ID\n${mapped.map(([u, i]) => `${u},${i}`).join('\n')}\n`,
  );
  files.set(
    `${JOBS.related}/config.json`,
    `${JSON.stringify({ batchInferencePath: 'batch-output/', connectors: { braze: { ...brazeConnector, attributePrefix: 'similar_' } } }, null, 2)}\n`,
  );

  const items = [...used]
    .sort()
    .map((id) => catalogue.get(id))
    .filter((l): l is string => l !== undefined);
  for (const job of Object.values(JOBS)) files.set(`${job}/input/item_metadata/items.json`, `${items.join('\n')}\n`);
  return files;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const out = resolve(process.argv[2] ?? HERE);
  for (const [path, text] of await generateSampleJobs()) {
    await mkdir(dirname(join(out, path)), { recursive: true });
    await writeFile(join(out, path), text);
  }
  console.log(`sample connector jobs written under ${out}`);
}
