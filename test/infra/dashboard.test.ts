import { describe, expect, it } from 'vitest';
import {
  COLD_START_METRIC,
  DATA_PLANE_METRICS,
  DATA_PLANE_SERVICE,
  METRICS_NAMESPACE,
} from '../../contracts/metrics.ts';
import { synth } from './synth.ts';

describe('the operations dashboard', () => {
  const { main } = synth({ authenticationScheme: 'None', cacheScheme: 'None' });
  const dashboards = main.findResources('AWS::CloudWatch::Dashboard');

  it('is deployed once, named after the application and environment, and named in an output', () => {
    expect(Object.values(dashboards).map((d) => d.Properties.DashboardName)).toEqual([
      'personalization-apis-prod-operations',
    ]);
    main.hasOutput('DashboardName', {});
  });

  it('graphs every data-plane metric, cold starts, Lambda throttles and event delivery per target', () => {
    const body = JSON.stringify(Object.values(dashboards)[0]!.Properties.DashboardBody);
    for (const names of Object.values(DATA_PLANE_METRICS)) {
      for (const name of names) expect(body, name).toContain(`\\"${name}\\"`);
    }
    expect(body).toContain(`\\"${COLD_START_METRIC}\\"`);
    expect(body).toContain(`\\"${METRICS_NAMESPACE}\\"`);
    expect(body).toContain(`\\"service\\",\\"${DATA_PLANE_SERVICE}\\"`);
    expect(body).toContain('\\"Throttles\\"');
    expect(body).toContain(`SEARCH('{${METRICS_NAMESPACE},service,target} MetricName=\\\\\\"EventTargetFailed\\\\\\"'`);
  });
});
