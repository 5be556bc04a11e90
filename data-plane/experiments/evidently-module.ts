/**
 * The Evidently calls (evidently.ts), loaded on first use — or while a configuration with `evidently`
 * experiments is prepared — and read synchronously from then on, so no request after the first waits
 * for an `import()`. Deployments without Evidently never load it or its client.
 */
import { onDemand } from '../../shared/on-demand.ts';

export const evidentlyModule = onDemand(() => import('./evidently.ts'));
