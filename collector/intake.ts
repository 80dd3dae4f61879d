import { createHash } from 'node:crypto';
import type { LoadedSite } from '../core/config/loadSite.ts';
import { errorText } from '../core/errors.ts';
import { type Reading, readingSchema, telemetryEnvelopeSchema, telemetryLimits } from '../core/telemetry.ts';
import { gatewayOfTelemetryTopic } from '../core/topics.ts';

const DAY = 86_400_000;

/** Why a reading of an otherwise good batch is not stored. */
export type DropKind = 'invalid' | 'unknown_device' | 'too_old' | 'in_future';

export interface Dropped {
  kind: DropKind;
  device: string | undefined;
  reason: string;
  /** The reading itself when it was valid (kept in quarantine); not for an invalid one. */
  reading?: Reading;
}

/** What the collector makes of one telemetry message. */
export type Intake =
  | { kind: 'rejected'; reason: string }
  | {
      kind: 'batch';
      gateway: string;
      epoch: string | undefined;
      seq: number;
      /** The message's content identity: a redelivery has the same, a forged or reused seq another. */
      identity: string;
      readings: Reading[];
      dropped: Dropped[];
    };

export interface AcceptWindow {
  /** Oldest source timestamp accepted, as an age at receipt (ms). */
  pastMs: number;
  /** Furthest a source timestamp may lie ahead of the collector's clock (ms). */
  futureMs: number;
}

/**
 * The default window: as old as the oldest batch a gateway of the site may still replay from its
 * spool (its `spool.max_age`) plus a day, and 10 min ahead (clocks drift; a device clock 2100 is a
 * fault, not data).
 */
export function defaultAcceptWindow(site: LoadedSite): AcceptWindow {
  const spoolAge = Math.max(30 * DAY, ...site.config.gateways.map((g) => g.spool.max_age));
  return { pastMs: spoolAge + DAY, futureMs: 10 * 60_000 };
}

function issuesText(error: { issues: { path: PropertyKey[]; message: string }[] }): string {
  return error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
}

/**
 * Validates a telemetry message: the envelope as a whole (a bad one is rejected with its reason),
 * then each reading on its own, so one bad reading never costs the good ones beside it. Readings
 * of a device the gateway does not have in the site file, and readings stamped outside the accept
 * window of the collector's clock, are not stored (a 1970 reading once wrote 499,002 hourly
 * rollups and put 21.84 m³ of water into the 2020 baseline): each is returned as dropped, with its
 * reason, for the collector to count and log.
 */
export function createIntake(
  site: LoadedSite,
  window: AcceptWindow,
): (topic: string, payload: Buffer, now: number) => Intake {
  const devicesOf = new Map(
    site.config.gateways.map((g) => [
      g.id,
      new Set(g.connections.flatMap((c) => c.devices.map((d) => d.id))),
    ]),
  );
  return (topic, payload, now) => {
    if (payload.length > telemetryLimits.maxMessageBytes)
      return {
        kind: 'rejected',
        reason: `message of ${payload.length} bytes is over the limit of ${telemetryLimits.maxMessageBytes} bytes`,
      };
    let json: unknown;
    try {
      json = JSON.parse(payload.toString('utf8'));
    } catch (err) {
      return { kind: 'rejected', reason: `not JSON: ${errorText(err)}` };
    }
    const envelope = telemetryEnvelopeSchema.safeParse(json);
    if (!envelope.success)
      return { kind: 'rejected', reason: `invalid telemetry batch: ${issuesText(envelope.error)}` };
    const batch = envelope.data;
    const topicGateway = gatewayOfTelemetryTopic(topic);
    if (topicGateway !== batch.gateway)
      return {
        kind: 'rejected',
        reason: `batch says gateway "${batch.gateway}" but was published on the topic of gateway "${topicGateway}"`,
      };
    const known = devicesOf.get(batch.gateway);
    const readings: Reading[] = [];
    const dropped: Dropped[] = [];
    const oldest = now - window.pastMs;
    const newest = now + window.futureMs;
    for (let i = 0; i < batch.readings.length; i++) {
      const parsed = readingSchema.safeParse(batch.readings[i]);
      if (!parsed.success) {
        const device = (batch.readings[i] as { device?: unknown } | null)?.device;
        dropped.push({
          kind: 'invalid',
          device: typeof device === 'string' ? device.slice(0, 64) : undefined,
          reason: `readings.${i}: ${issuesText(parsed.error)}`.slice(0, 500),
        });
        continue;
      }
      const r = parsed.data;
      if (!known?.has(r.device)) {
        dropped.push({
          kind: 'unknown_device',
          device: r.device,
          reason: `device "${r.device}" is not a device of gateway "${batch.gateway}" in the site file`,
          reading: r,
        });
        continue;
      }
      const ts = Date.parse(r.ts);
      if (ts < oldest || ts > newest) {
        const days = Math.round(window.pastMs / DAY);
        dropped.push({
          kind: ts < oldest ? 'too_old' : 'in_future',
          device: r.device,
          reason: `timestamp ${r.ts} is outside the accepted window (${days} d back, ${Math.round(window.futureMs / 60_000)} min ahead of the collector's clock ${new Date(now).toISOString()})`,
          reading: r,
        });
        continue;
      }
      readings.push(r);
    }
    return {
      kind: 'batch',
      gateway: batch.gateway,
      epoch: batch.epoch,
      seq: batch.seq,
      identity: createHash('sha1').update(payload).digest('base64'),
      readings,
      dropped,
    };
  };
}
