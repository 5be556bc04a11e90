/**
 * The `builtin` origin: answers the three inference actions from the embedded recommender's models
 * through the same OriginResolver contract as every other origin.
 */
import { BadRequestError } from '../../errors.ts';
import type { OriginRequest, OriginResolver, OriginResult } from '../types.ts';
import type { Model } from './model.ts';
import type { BuiltinModels } from './registry.ts';

/** The three actions on a trained model. */
function answer(model: Model, request: Omit<OriginRequest, 'signal'>): OriginResult {
  const { action, variation, numResults } = request;
  const excludeInteracted = variation.type === 'builtin' ? variation.excludeInteracted : undefined;
  switch (action) {
    case 'recommend-items':
      return { items: model.recommend(request.userId ?? '', numResults, { excludeInteracted }) };
    case 'related-items': {
      if (!request.itemId) throw new BadRequestError('MissingItemId', 'itemId is required for related-items');
      const items = model.related(request.itemId, numResults, { userId: request.userId, excludeInteracted });
      return { items };
    }
    case 'rerank-items': {
      if (!request.itemList) throw new BadRequestError('MissingItemList', 'itemList is required for rerank-items');
      return { items: model.rerank(request.userId ?? '', request.itemList).slice(0, numResults) };
    }
  }
}

/**
 * recommend-items → `recommend`, related-items → `related`, rerank-items → `rerank`; once the model is
 * trained, `answerNow` answers in the call.
 *
 * @example
 * const resolvers = { ...defaultResolvers(clients), builtin: createBuiltinResolver(models) };
 */
export function createBuiltinResolver(models: BuiltinModels): OriginResolver {
  const resolver: OriginResolver = async (request) => {
    const { namespace, variation, signal } = request;
    signal.throwIfAborted();
    const model = await models.get(namespace, variation);
    signal.throwIfAborted();
    return answer(model, request);
  };
  resolver.answerNow = (request) => {
    const model = models.trained(request.namespace, request.variation);
    return model && answer(model, request);
  };
  return resolver;
}
