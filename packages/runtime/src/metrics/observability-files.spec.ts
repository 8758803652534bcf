import { readFileSync } from 'node:fs';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { METRICS_OF_SERVICE, SERVICE_METRICS, type MetricDefinition } from './metric-catalog.js';

const observability = new URL('../../../../infra/observability/', import.meta.url);
const read = (file: string) => readFileSync(new URL(file, observability), 'utf8');

interface AlertRules {
  groups: { name: string; rules: { alert: string; expr: string; for?: string; labels?: { severity?: string } }[] }[];
}
interface Dashboard {
  templating: { list: { type: string; query?: string | { query: string } }[] };
  panels: { title: string; type: string; targets?: { expr: string }[] }[];
}
interface ScrapeConfig {
  rule_files: string[];
  scrape_configs: { job_name: string; static_configs: { targets: string[]; labels: { service: string } }[] }[];
}

/** The names a running service puts on /metrics: the catalog's (histograms with their series) and Node's process metrics. */
function exportedNames(): Set<string> {
  const definitions: MetricDefinition[] = [...SERVICE_METRICS, ...Object.values(METRICS_OF_SERVICE).flat()];
  const names = definitions.flatMap((metric) =>
    metric.buckets ? [`${metric.name}_bucket`, `${metric.name}_count`, `${metric.name}_sum`] : [metric.name],
  );
  const processMetrics = new Registry();
  collectDefaultMetrics({ register: processMetrics });
  const processNames = processMetrics.getMetricsAsArray().flatMap((metric) => {
    const name = metric.name;
    return (metric as { upperBounds?: unknown }).upperBounds ? [`${name}_bucket`, `${name}_count`, `${name}_sum`] : [name];
  });
  // `up` is written by Prometheus for every target it scrapes.
  return new Set([...names, ...processNames, 'up']);
}

const PROMQL_KEYWORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'and', 'or', 'unless', 'offset', 'bool', 'inf', 'nan']);

/**
 * The metric names a PromQL expression selects: identifiers outside strings, label matchers, ranges and grouping
 * clauses that are not functions, aggregations or keywords. (Grafana's `label_values(metric, label)` names its metric too.)
 */
function metricNamesIn(expression: string): string[] {
  const bare = expression
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ')
    .replace(/\boffset\s+\S+/g, ' ')
    .replace(/\blabel_values\(\s*([a-zA-Z_:][\w:]*)\s*,[^)]*\)/g, ' $1 ');
  const names: string[] = [];
  for (const match of bare.matchAll(/(?<![\w.$])([a-zA-Z_:][\w:]*)(\s*\()?/g)) {
    const [, name, call] = match;
    if (call || PROMQL_KEYWORDS.has(name!.toLowerCase())) continue;
    names.push(name!);
  }
  return names;
}

describe('infra/observability', () => {
  const rules = parse(read('alert-rules.yml')) as AlertRules;
  const dashboard = JSON.parse(read('grafana-dashboard.json')) as Dashboard;
  const scrape = parse(read('prometheus.yml')) as ScrapeConfig;
  const exported = exportedNames();

  it('reads metric names the way PromQL does', () => {
    expect(
      metricNamesIn(
        'histogram_quantile(0.95, sum by (service, le) (rate(ensoras_x_bucket{outcome!="failed", a=~"b|c"}[15m]))) / ignoring(reason) group_left up > bool 3',
      ),
    ).toEqual(['ensoras_x_bucket', 'up']);
    expect(metricNamesIn('label_values(ensoras_http_requests_total, service)')).toEqual(['ensoras_http_requests_total']);
  });

  it('alerts only on metrics the services export', () => {
    const alerts = rules.groups.flatMap((group) => group.rules);
    expect(alerts.length).toBeGreaterThan(10);
    for (const rule of alerts) {
      const names = metricNamesIn(rule.expr);
      expect(names.length, `${rule.alert} selects no metric`).toBeGreaterThan(0);
      for (const name of names) expect(exported, `${rule.alert}: ${name}`).toContain(name);
      expect(['critical', 'warning', 'info'], rule.alert).toContain(rule.labels?.severity);
    }
  });

  it("charts only metrics the services export, and every kind of the issue's series", () => {
    const expressions = [
      ...dashboard.panels.flatMap((panel) => (panel.targets ?? []).map((target) => target.expr)),
      ...dashboard.templating.list
        .filter((variable) => variable.type === 'query')
        .map((variable) => (typeof variable.query === 'string' ? variable.query : (variable.query?.query ?? ''))),
    ];
    const charted = new Set(expressions.flatMap(metricNamesIn));
    for (const name of charted) expect(exported, name).toContain(name);
    for (const series of [
      'ensoras_http_requests_total',
      'ensoras_http_request_duration_seconds_bucket',
      'ensoras_consumer_pending_messages',
      'ensoras_event_redeliveries_total',
      'ensoras_dead_letters_published_total',
      'ensoras_outbox_oldest_pending_age_seconds',
      'ensoras_outbox_rows',
      'ensoras_ai_generation_duration_seconds_bucket',
      'ensoras_ai_generation_failures_total',
      'ensoras_mail_outbound_send_duration_seconds_count',
    ]) {
      expect(charted, series).toContain(series);
    }
  });

  it('scrapes the five services and loads the alert rules', () => {
    expect(scrape.rule_files).toEqual(['alert-rules.yml']);
    const job = scrape.scrape_configs.find((config) => config.job_name === 'ensoras');
    const services = job!.static_configs.map((target) => target.labels.service).sort();
    expect(services).toEqual(Object.keys(METRICS_OF_SERVICE).sort());
  });

  it('names every metric in one scheme', () => {
    for (const metric of [...SERVICE_METRICS, ...Object.values(METRICS_OF_SERVICE).flat()]) {
      expect(metric.name).toMatch(/^ensoras_[a-z]+(_[a-z]+)+$/);
      if (metric.name.endsWith('_total')) expect(metric.buckets).toBeUndefined();
      if (metric.buckets) expect(metric.name).toMatch(/_seconds$/);
      expect(metric.labelNames ?? []).not.toContain('project');
    }
  });
});
