// `npm run bench`: every benchmark prints its figures as ratios against a baseline measured in the
// same run, because absolute times on shared machines are noise.
import { benchAlarms } from './alarms.ts';
import { benchConsole } from './console.ts';
import { benchGateway } from './gateway.ts';
import { benchHostile } from './hostile.ts';
import { benchIngest } from './ingest.ts';
import { benchRollups } from './rollups.ts';
import { benchRtuBus } from './rtuBus.ts';
import { benchSavings } from './savings.ts';
import { benchStoreWrite } from './storeWrite.ts';

const benches: [string, () => Promise<string[]>][] = [
  ['store write (200,000 points, 5,000 per batch)', benchStoreWrite],
  ['gateway on an RS-485 bus (Modbus RTU, socat)', benchRtuBus],
  ['gateway over Modbus TCP', benchGateway],
  ['ingest: MQTT → collector → store (100,000 readings in batches of 250)', benchIngest],
  [
    "hostile telemetry: 1970 / 2100 / 5 MB / forged sequence numbers into jieneng start's collector",
    benchHostile,
  ],
  ['rollups: a year of hourly consumption for 500 meters', benchRollups],
  ['control savings: a simulated cooling-season month, unmanaged against jieneng', benchSavings],
  ['alarms: 20,000 raised in one engine tick (one transaction)', benchAlarms],
  ['console: first meaningful content per screen in Chromium, and its JS (gzipped)', benchConsole],
];

// `npm run bench -- rtu` runs only the benchmarks whose name contains one of the words given.
const only = process.argv.slice(2).map((w) => w.toLowerCase());
for (const [name, run] of benches) {
  if (only.length > 0 && !only.some((w) => name.toLowerCase().includes(w))) continue;
  console.log(`# ${name}`);
  for (const line of await run()) console.log(`  ${line}`);
}
