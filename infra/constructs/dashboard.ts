/**
 * The operations dashboard: what the old deployment's dashboards showed, from the data plane's own
 * metrics (contracts/metrics.ts) and Lambda's — requests by class, cache hits, origin latency, errors,
 * throttling and fallbacks, cold starts, and event delivery per target. Event targets are named only in
 * the runtime configuration, so their graphs use a metric SEARCH over the `target` dimension.
 */
import { Duration } from 'aws-cdk-lib';
import {
  Dashboard,
  GraphWidget,
  type IMetric,
  MathExpression,
  Metric,
  Stats,
  TextWidget,
} from 'aws-cdk-lib/aws-cloudwatch';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import {
  COLD_START_METRIC,
  DATA_PLANE_METRICS,
  DATA_PLANE_SERVICE,
  METRICS_NAMESPACE,
  type MetricName,
} from '../../contracts/metrics.ts';

export interface OperationsDashboardProps {
  /** The dashboard's name (`<application>-<environment>`). */
  readonly name: string;
  readonly dataPlane: IFunction;
}

const PERIOD = Duration.minutes(1);

function dataPlaneMetric(name: MetricName, statistic: string = Stats.SUM): Metric {
  return new Metric({
    namespace: METRICS_NAMESPACE,
    metricName: name,
    dimensionsMap: { service: DATA_PLANE_SERVICE },
    statistic,
    period: PERIOD,
    label: name,
  });
}

function perTarget(name: MetricName): IMetric {
  return new MathExpression({
    expression: `SEARCH('{${METRICS_NAMESPACE},service,target} MetricName="${name}"', 'Sum', 60)`,
    label: name,
    period: PERIOD,
  });
}

const graph = (title: string, left: IMetric[], right: IMetric[] = []) =>
  new GraphWidget({ title, left, right, width: 12, height: 6 });

export class OperationsDashboard extends Construct {
  public readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, props: OperationsDashboardProps) {
    super(scope, id);
    const fn = props.dataPlane;
    this.dashboard = new Dashboard(this, 'Dashboard', { dashboardName: `${props.name}-operations` });
    this.dashboard.addWidgets(
      new TextWidget({
        markdown: `# ${props.name}\nData plane \`${DATA_PLANE_SERVICE}\`: metrics in the \`${METRICS_NAMESPACE}\` namespace; traces in X-Ray are annotated with namespace, recommender, variation and cache status.`,
        width: 24,
        height: 2,
      }),
    );
    this.dashboard.addWidgets(
      graph(
        'Responses',
        DATA_PLANE_METRICS.requests.map((m) => dataPlaneMetric(m)),
      ),
      graph(
        'Response cache',
        DATA_PLANE_METRICS.cache.map((m) => dataPlaneMetric(m)),
      ),
    );
    this.dashboard.addWidgets(
      graph(
        'Origin latency (ms)',
        [dataPlaneMetric('OriginLatency', Stats.AVERAGE), dataPlaneMetric('OriginLatency', Stats.p(99))],
        [],
      ),
      graph(
        'Origin errors, throttling and fallbacks',
        DATA_PLANE_METRICS.origins.map((m) => dataPlaneMetric(m)),
      ),
    );
    this.dashboard.addWidgets(
      graph(
        'Lambda: invocations, throttles and cold starts',
        [fn.metricInvocations({ period: PERIOD }), fn.metricThrottles({ period: PERIOD })],
        [
          new Metric({
            namespace: METRICS_NAMESPACE,
            metricName: COLD_START_METRIC,
            dimensionsMap: { service: DATA_PLANE_SERVICE, function_name: fn.functionName },
            statistic: Stats.SUM,
            period: PERIOD,
            label: COLD_START_METRIC,
          }),
        ],
      ),
      graph('Lambda: duration (ms)', [
        fn.metricDuration({ period: PERIOD, statistic: Stats.AVERAGE }),
        fn.metricDuration({ period: PERIOD, statistic: Stats.p(99) }),
      ]),
    );
    this.dashboard.addWidgets(
      graph(
        'Event delivery per target',
        DATA_PLANE_METRICS.eventTargets.map((m) => perTarget(m)),
      ),
      graph(
        'Configurations and background work',
        DATA_PLANE_METRICS.lifecycle.map((m) => dataPlaneMetric(m)),
        DATA_PLANE_METRICS.preparation.map((m) => dataPlaneMetric(m, Stats.MAXIMUM)),
      ),
    );
  }
}
