import type { Builder, Dataquery } from '@grafana/grafana-foundation-sdk/cog';
import type { DataSourceRef } from '@grafana/grafana-foundation-sdk/common';

/**
 * The InfluxQL target of Grafana's InfluxDB datasource (grafana/grafana
 * public/app/plugins/datasource/influxdb/types.ts, `InfluxQuery`) in raw mode: the SDK 0.0.21 has
 * no InfluxDB module, so this is its "custom query type" (typescript/docs/How-To/custom-query-type.md).
 * Macros Grafana fills in: `$timeFilter`, `$__interval`, and the dashboard's variables (`$building`).
 */
export interface InfluxQLQuery extends Dataquery {
  refId?: string;
  datasource?: DataSourceRef;
  query: string;
  rawQuery: true;
  resultFormat: 'time_series' | 'table';
  /** Series name pattern: `$tag_<key>` (the query must group by that tag), `$col`, `$m`. */
  alias?: string;
}

export class InfluxQLBuilder implements Builder<Dataquery> {
  private readonly q: InfluxQLQuery;

  constructor(query: string) {
    this.q = {
      query: query.replace(/\s+/g, ' ').trim(),
      rawQuery: true,
      resultFormat: 'time_series',
      _implementsDataqueryVariant() {},
    };
  }

  refId(refId: string): this {
    this.q.refId = refId;
    return this;
  }

  datasource(ref: DataSourceRef): this {
    this.q.datasource = ref;
    return this;
  }

  alias(alias: string): this {
    this.q.alias = alias;
    return this;
  }

  /** Rows and columns (a table, a bar chart of categories) rather than time series. */
  table(): this {
    this.q.resultFormat = 'table';
    return this;
  }

  build(): InfluxQLQuery {
    return this.q;
  }
}

/** A string literal of InfluxQL: single quotes, with `\` and `'` escaped. */
export function stringLit(v: string): string {
  return `'${v.replace(/[\\']/g, (c) => `\\${c}`)}'`;
}

/** A regex literal matching exactly one of `values` (anchored, metacharacters escaped). */
export function oneOf(values: readonly string[]): string {
  const alt = values.map((v) => v.replace(/[.*+?^${}()|[\]\\/]/g, (c) => `\\${c}`)).join('|');
  return `/^(${alt})$/`;
}
