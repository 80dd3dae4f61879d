import type { TestProject } from 'vitest/node';
import { startInfluxd } from './influxd.ts';
import { startMosquitto } from './mosquitto.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** mqtt://127.0.0.1:<port> of the shared test Mosquitto. */
    mosquittoUrl: string;
    /** http://127.0.0.1:<port> of the shared test influxd (append /<database>). */
    influxUrl: string;
  }
}

/** Starts one Mosquitto and one influxd for the whole run; tests isolate by topic and database. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const [mosquitto, influxd] = await Promise.all([startMosquitto(), startInfluxd()]);
  project.provide('mosquittoUrl', mosquitto.url);
  project.provide('influxUrl', influxd.url);
  return async () => {
    await Promise.all([mosquitto.stop(), influxd.stop()]);
  };
}
