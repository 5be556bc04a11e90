/**
 * Which API action serves the output of an Amazon Personalize recipe (custom solutions) or domain
 * recipe (recommenders). Recipes whose output is not an item list for a user, an item or a ranking
 * (next best action, user segmentation, item affinity) have no action.
 */
import type { Action } from '../../schema/config-schema.ts';

const RULES: Array<[RegExp, Action]> = [
  [/personalized-ranking/, 'rerank-items'],
  [/similar-items|sims|more-like-x|frequently-bought-together|also-viewed|because-you-watched-x/, 'related-items'],
  [
    /user-personalization|recommended-for-you|top-picks|popular-items|popularity-count|trending-now|most-popular|best-sellers|most-viewed/,
    'recommend-items',
  ],
];

/**
 * @example
 * actionForRecipe('arn:aws:personalize:::recipe/aws-ecomm-frequently-bought-together'); // 'related-items'
 * actionForRecipe('arn:aws:personalize:::recipe/aws-next-best-action'); // undefined
 */
export function actionForRecipe(recipeArn: string | undefined): Action | undefined {
  if (!recipeArn) return undefined;
  const name = recipeArn.slice(recipeArn.lastIndexOf('/') + 1).toLowerCase();
  return RULES.find(([pattern]) => pattern.test(name))?.[1];
}
