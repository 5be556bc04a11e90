/**
 * Two dataset groups' worth of Amazon Personalize resources, served through aws-sdk-client-mock so the
 * generator sees the same pages it would from the service.
 */
import {
  DescribeCampaignCommand,
  DescribeEventTrackerCommand,
  DescribeSolutionCommand,
  DescribeSolutionVersionCommand,
  ListCampaignsCommand,
  ListDatasetGroupsCommand,
  ListEventTrackersCommand,
  ListFiltersCommand,
  ListRecommendersCommand,
  ListSolutionsCommand,
  PersonalizeClient,
} from '@aws-sdk/client-personalize';
import { mockClient } from 'aws-sdk-client-mock';

const P = 'arn:aws:personalize:us-east-1:123456789012';
export const RETAIL = `${P}:dataset-group/retail`;
export const MEDIA = `${P}:dataset-group/media`;
const RECIPE = 'arn:aws:personalize:::recipe';

export function fakePersonalize() {
  const mock = mockClient(PersonalizeClient);
  mock
    .on(ListDatasetGroupsCommand)
    .resolvesOnce({
      datasetGroups: [{ name: 'retail', datasetGroupArn: RETAIL, status: 'ACTIVE' }],
      nextToken: 'page2',
    })
    .resolves({
      datasetGroups: [
        { name: 'media', datasetGroupArn: MEDIA, status: 'ACTIVE' },
        { name: 'old', datasetGroupArn: `${P}:dataset-group/old`, status: 'DELETE PENDING' },
      ],
    });

  mock.on(ListRecommendersCommand, { datasetGroupArn: RETAIL }).resolves({
    recommenders: [
      {
        name: 'recommended for you',
        recommenderArn: `${P}:recommender/rfy`,
        recipeArn: `${RECIPE}/aws-ecomm-recommended-for-you`,
        status: 'ACTIVE',
      },
      {
        name: 'fbt',
        recommenderArn: `${P}:recommender/fbt`,
        recipeArn: `${RECIPE}/aws-ecomm-frequently-bought-together`,
        status: 'ACTIVE',
      },
    ],
  });
  mock.on(ListRecommendersCommand, { datasetGroupArn: MEDIA }).resolves({ recommenders: [] });

  mock.on(ListSolutionsCommand, { datasetGroupArn: RETAIL }).resolves({ solutions: [] });
  mock.on(ListSolutionsCommand, { datasetGroupArn: MEDIA }).resolves({
    solutions: [
      { name: 'up', solutionArn: `${P}:solution/up` },
      { name: 'auto', solutionArn: `${P}:solution/auto` },
      { name: 'nba', solutionArn: `${P}:solution/nba` },
    ],
  });
  mock
    .on(ListCampaignsCommand, { solutionArn: `${P}:solution/up` })
    .resolves({ campaigns: [{ name: 'up-campaign', campaignArn: `${P}:campaign/up-campaign`, status: 'ACTIVE' }] });
  mock
    .on(ListCampaignsCommand, { solutionArn: `${P}:solution/auto` })
    .resolves({ campaigns: [{ name: 'ranking', campaignArn: `${P}:campaign/ranking`, status: 'ACTIVE' }] });
  mock
    .on(ListCampaignsCommand, { solutionArn: `${P}:solution/nba` })
    .resolves({ campaigns: [{ name: 'nba', campaignArn: `${P}:campaign/nba`, status: 'ACTIVE' }] });
  mock
    .on(DescribeSolutionCommand, { solutionArn: `${P}:solution/up` })
    .resolves({ solution: { recipeArn: `${RECIPE}/aws-user-personalization-v2` } });
  mock
    .on(DescribeSolutionCommand, { solutionArn: `${P}:solution/auto` })
    .resolves({ solution: { performAutoML: true } });
  mock
    .on(DescribeSolutionCommand, { solutionArn: `${P}:solution/nba` })
    .resolves({ solution: { recipeArn: `${RECIPE}/aws-next-best-action` } });
  mock
    .on(DescribeCampaignCommand, { campaignArn: `${P}:campaign/ranking` })
    .resolves({ campaign: { solutionVersionArn: `${P}:solution/auto/v1` } });
  mock
    .on(DescribeSolutionVersionCommand, { solutionVersionArn: `${P}:solution/auto/v1` })
    .resolves({ solutionVersion: { recipeArn: `${RECIPE}/aws-personalized-ranking` } });

  mock.on(ListEventTrackersCommand, { datasetGroupArn: RETAIL }).resolves({
    eventTrackers: [{ name: 'web', eventTrackerArn: `${P}:event-tracker/web`, status: 'ACTIVE' }],
  });
  mock.on(ListEventTrackersCommand, { datasetGroupArn: MEDIA }).resolves({ eventTrackers: [] });
  mock
    .on(DescribeEventTrackerCommand, { eventTrackerArn: `${P}:event-tracker/web` })
    .resolves({ eventTracker: { trackingId: 'a1b2c3d4-tracking' } });

  mock.on(ListFiltersCommand, { datasetGroupArn: RETAIL }).resolves({
    Filters: [
      { name: 'exclude-purchased', filterArn: `${P}:filter/exclude-purchased`, status: 'ACTIVE' },
      { name: 'by-category', filterArn: `${P}:filter/by-category`, status: 'ACTIVE' },
    ],
  });
  mock.on(ListFiltersCommand, { datasetGroupArn: MEDIA }).resolves({ Filters: [] });
  return mock;
}
