// Publishes the ingest benchmark's telemetry from its own process (as a gateway would), so the
// collector under test does not share its thread with the publisher. Plain JavaScript: spawned
// with `node bench/publisher.mjs URL GATEWAY BATCHES PER_BATCH METERS T0`.
import mqtt from 'mqtt';

const [url, gateway, batches, perBatch, meters, t0] = process.argv.slice(2);
const B = Number(batches);
const P = Number(perBatch);
const M = Number(meters);
const T0 = Number(t0);
const payloads = Array.from({ length: B }, (_, i) => {
  const seq = i + 1;
  return JSON.stringify({
    gateway,
    seq,
    sent_at: new Date(T0).toISOString(),
    readings: Array.from({ length: P }, (_, k) => {
      const n = (seq - 1) * P + k;
      return {
        device: `meter-${n % M}`,
        point: 'import_energy',
        value: 1000 + n * 0.25,
        unit: 'kWh',
        ts: new Date(T0 + Math.floor(n / M) * 1000).toISOString(),
        quality: 'good',
      };
    }),
  });
});
const client = await mqtt.connectAsync(url, { clientId: `bench-pub-${process.pid}`, clean: true });
process.stdout.write('ready\n');
await new Promise((r) => process.stdin.once('data', r)); // "go"
let next = 0;
// A window of 100 in flight (DESIGN §9: unbounded QoS 1 bursts misbehave).
await Promise.all(
  Array.from({ length: 100 }, async () => {
    while (next < payloads.length)
      await client.publishAsync(`jn/v1/${gateway}/telemetry`, payloads[next++], { qos: 1 });
  }),
);
await client.endAsync();
process.stdout.write('done\n');
// stdin (the "go" pipe) would keep the process alive.
process.exit(0);
