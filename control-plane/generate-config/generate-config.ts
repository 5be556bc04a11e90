/**
 * Generates a starting configuration from the Amazon Personalize resources of some (or all) dataset
 * groups: one namespace per dataset group, a recommender per Personalize recommender or campaign under
 * the action its recipe serves, and an event target per event tracker. Filters are listed in the
 * namespace description rather than attached, since an attached filter applies to every request.
 * The result passes `validateConfig`; resources whose recipe serves no action are reported as skipped.
 */
import {
  type DatasetGroupSummary,
  DescribeCampaignCommand,
  DescribeEventTrackerCommand,
  DescribeSolutionCommand,
  DescribeSolutionVersionCommand,
  type PersonalizeClient,
  paginateListCampaigns,
  paginateListDatasetGroups,
  paginateListEventTrackers,
  paginateListFilters,
  paginateListRecommenders,
  paginateListSolutions,
} from '@aws-sdk/client-personalize';
import type {
  Action,
  Config,
  EventTargetConfig,
  NamespaceConfig,
  RecommenderConfig,
} from '../../schema/config-schema.ts';
import { validateConfig } from '../../schema/validate-config.ts';
import { ValidationFailed } from '../errors.ts';
import { validationFailed } from '../validation-message.ts';
import { actionForRecipe } from './recipe-action.ts';

export interface GenerateConfigOptions {
  personalize: PersonalizeClient;
  /** `all`, or dataset group names or ARNs. */
  datasetGroups: 'all' | string[];
}

export interface GeneratedConfig {
  config: Config;
  /** Recommenders and campaigns left out, with the reason. */
  skipped: Array<{ arn: string; reason: string }>;
}

/** Statuses of resources that are going away and should not be configured. */
const GONE = /^DELETE/;

/** Makes a configuration key (letters, digits, '-', '_') from a resource name, unique among `taken`. */
export function keyFor(name: string, taken: Set<string>): string {
  const base = name.replace(/[^A-Za-z0-9_-]+/g, '-').replace(/^-+|-+$/g, '') || 'resource';
  let key = base;
  for (let n = 2; taken.has(key); n++) key = `${base}-${n}`;
  taken.add(key);
  return key;
}

async function collect<T>(pages: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const page of pages) out.push(page);
  return out;
}

async function selectDatasetGroups(opts: GenerateConfigOptions): Promise<DatasetGroupSummary[]> {
  const pages = await collect(paginateListDatasetGroups({ client: opts.personalize }, {}));
  const all = pages.flatMap((p) => p.datasetGroups ?? []).filter((g) => !GONE.test(g.status ?? ''));
  if (opts.datasetGroups === 'all') return all;
  const wanted = new Set(opts.datasetGroups);
  const chosen = all.filter((g) => wanted.has(g.name ?? '') || wanted.has(g.datasetGroupArn ?? ''));
  const found = new Set(chosen.flatMap((g) => [g.name, g.datasetGroupArn]));
  const missing = opts.datasetGroups.filter((g) => !found.has(g));
  if (missing.length > 0) throw new ValidationFailed(`dataset groups not found: ${missing.join(', ')}`);
  return chosen;
}

interface Served {
  action: Action;
  name: string;
  recommender: RecommenderConfig;
}

async function recommendersOf(
  personalize: PersonalizeClient,
  datasetGroupArn: string,
  skipped: GeneratedConfig['skipped'],
): Promise<Served[]> {
  const pages = await collect(paginateListRecommenders({ client: personalize }, { datasetGroupArn }));
  const served: Served[] = [];
  for (const r of pages.flatMap((p) => p.recommenders ?? [])) {
    if (!r.recommenderArn || GONE.test(r.status ?? '')) continue;
    const action = actionForRecipe(r.recipeArn);
    if (!action) {
      skipped.push({ arn: r.recommenderArn, reason: `recipe ${r.recipeArn ?? '(unknown)'} serves no API action` });
      continue;
    }
    const name = r.name ?? r.recommenderArn;
    served.push({
      action,
      name,
      recommender: {
        name,
        variations: { [keyFor(name, new Set())]: { type: 'personalize-recommender', arn: r.recommenderArn } },
      },
    });
  }
  return served;
}

async function campaignRecipe(
  personalize: PersonalizeClient,
  solutionArn: string,
  campaignArn: string,
): Promise<string | undefined> {
  const { solution } = await personalize.send(new DescribeSolutionCommand({ solutionArn }));
  if (solution?.recipeArn) return solution.recipeArn;
  // AutoML solutions name their recipe on the solution version the campaign serves.
  const { campaign } = await personalize.send(new DescribeCampaignCommand({ campaignArn }));
  if (!campaign?.solutionVersionArn) return undefined;
  const { solutionVersion } = await personalize.send(
    new DescribeSolutionVersionCommand({ solutionVersionArn: campaign.solutionVersionArn }),
  );
  return solutionVersion?.recipeArn;
}

async function campaignsOf(
  personalize: PersonalizeClient,
  datasetGroupArn: string,
  skipped: GeneratedConfig['skipped'],
): Promise<Served[]> {
  const solutions = (await collect(paginateListSolutions({ client: personalize }, { datasetGroupArn }))).flatMap(
    (p) => p.solutions ?? [],
  );
  const served: Served[] = [];
  for (const solution of solutions) {
    if (!solution.solutionArn) continue;
    const campaigns = (
      await collect(paginateListCampaigns({ client: personalize }, { solutionArn: solution.solutionArn }))
    )
      .flatMap((p) => p.campaigns ?? [])
      .filter((c) => c.campaignArn && !GONE.test(c.status ?? ''));
    for (const c of campaigns) {
      const campaignArn = c.campaignArn!;
      const recipe = solution.recipeArn ?? (await campaignRecipe(personalize, solution.solutionArn, campaignArn));
      const action = actionForRecipe(recipe);
      if (!action) {
        skipped.push({ arn: campaignArn, reason: `recipe ${recipe ?? '(unknown)'} serves no API action` });
        continue;
      }
      const name = c.name ?? campaignArn;
      served.push({
        action,
        name,
        recommender: {
          name,
          variations: { [keyFor(name, new Set())]: { type: 'personalize-campaign', arn: campaignArn } },
        },
      });
    }
  }
  return served;
}

async function eventTargetsOf(personalize: PersonalizeClient, datasetGroupArn: string): Promise<EventTargetConfig[]> {
  const trackers = (await collect(paginateListEventTrackers({ client: personalize }, { datasetGroupArn })))
    .flatMap((p) => p.eventTrackers ?? [])
    .filter((t) => t.eventTrackerArn && !GONE.test(t.status ?? ''));
  const targets: EventTargetConfig[] = [];
  for (const t of trackers) {
    const { eventTracker } = await personalize.send(
      new DescribeEventTrackerCommand({ eventTrackerArn: t.eventTrackerArn }),
    );
    if (eventTracker?.trackingId) {
      targets.push({ type: 'personalize-event-tracker', trackingId: eventTracker.trackingId });
    }
  }
  return targets;
}

async function filterNamesOf(personalize: PersonalizeClient, datasetGroupArn: string): Promise<string[]> {
  return (await collect(paginateListFilters({ client: personalize }, { datasetGroupArn })))
    .flatMap((p) => p.Filters ?? [])
    .filter((f) => f.name && !GONE.test(f.status ?? ''))
    .map((f) => f.name!);
}

async function namespaceFor(
  personalize: PersonalizeClient,
  group: DatasetGroupSummary,
  skipped: GeneratedConfig['skipped'],
): Promise<NamespaceConfig> {
  const arn = group.datasetGroupArn!;
  const [recommenders, campaigns, eventTargets, filters] = await Promise.all([
    recommendersOf(personalize, arn, skipped),
    campaignsOf(personalize, arn, skipped),
    eventTargetsOf(personalize, arn),
    filterNamesOf(personalize, arn),
  ]);
  const byAction: Partial<Record<Action, Record<string, RecommenderConfig>>> = {};
  const taken = new Set<string>();
  for (const served of [...recommenders, ...campaigns]) {
    const forAction = byAction[served.action] ?? {};
    forAction[keyFor(served.name, taken)] = served.recommender;
    byAction[served.action] = forAction;
  }
  const description = [
    `Amazon Personalize dataset group ${arn}.`,
    ...(filters.length > 0 ? [`Filters you can pass as the filter query parameter: ${filters.join(', ')}.`] : []),
  ].join(' ');
  return {
    name: group.name,
    description,
    ...(Object.keys(byAction).length > 0 ? { recommenders: byAction } : {}),
    ...(eventTargets.length > 0 ? { eventTargets } : {}),
  };
}

/**
 * The caching a generated configuration starts with, the same as the old generator's: user-specific
 * answers are private for 10 s, synthetic-user ones public for 5 minutes, user-less ones public for
 * 20 minutes, and the CDN and stage caches are provisioned from it.
 */
export const GENERATED_CACHE_CONTROL = {
  autoProvision: true,
  userSpecified: { maxAge: 10, directives: 'private' },
  syntheticUserSpecified: { maxAge: 300, directives: 'public' },
  noUserSpecified: { maxAge: 1200, directives: 'public' },
} as const satisfies NonNullable<Config['cacheControl']>;

/**
 * @example
 * const { config, skipped } = await generateConfig({ personalize: new PersonalizeClient({}), datasetGroups: 'all' });
 */
export async function generateConfig(opts: GenerateConfigOptions): Promise<GeneratedConfig> {
  const groups = await selectDatasetGroups(opts);
  const skipped: GeneratedConfig['skipped'] = [];
  const namespaces: Record<string, NamespaceConfig> = {};
  const taken = new Set<string>();
  for (const group of groups) {
    if (!group.datasetGroupArn) continue;
    namespaces[keyFor(group.name ?? group.datasetGroupArn, taken)] = await namespaceFor(
      opts.personalize,
      group,
      skipped,
    );
  }
  const config: Config = {
    version: '1',
    description: `Generated from the Amazon Personalize dataset groups ${groups.map((g) => g.name).join(', ') || '(none)'}.`,
    cacheControl: GENERATED_CACHE_CONTROL,
    namespaces,
  };
  const result = validateConfig(config);
  if (!result.ok) throw validationFailed(result.errors, 'generated configuration');
  return { config, skipped };
}
