/**
 * The MQTT topic map (prefix `jn/v1/`). Every topic jieneng uses is built here; segments are
 * slugs validated by the schemas, so they never contain `+`, `#` or `/`.
 */
export const topicPrefix = 'jn/v1';

export const topics = {
  /** Gateway → collector, QoS 1, TelemetryBatch. */
  telemetry: (gateway: string) => `${topicPrefix}/${gateway}/telemetry`,
  /** Control/api → gateway, QoS 1, Command. */
  command: (gateway: string) => `${topicPrefix}/${gateway}/command`,
  /** Gateway → control/api, QoS 1, CommandResult. */
  commandResult: (gateway: string) => `${topicPrefix}/${gateway}/command/result`,
  /**
   * A service → the alarm service, retained ConditionSnapshot (core/alarms/model.ts): every
   * condition one instance of a service (`collector`, `control`) holds now.
   */
  conditions: (service: string, instance: string) => `${topicPrefix}/conditions/${service}/${instance}`,
  /** Alarm service → anyone, QoS 1, AlarmEvent: each transition of an alarm (raise, acknowledge, clear …). */
  alarmEvents: `${topicPrefix}/alarms/events`,
  /** Alarm service → anyone, retained Alarm while it is open (an empty retained payload once closed). */
  alarmState: (id: number) => `${topicPrefix}/alarms/open/${id}`,
  /** Alarm service → anyone, QoS 1: a notification of a route with an mqtt channel (alarms/notify), JSON with its text. */
  alarmNotifications: (route: string) => `${topicPrefix}/alarms/notifications/${route}`,
  /** Control → api, QoS 1, PointChange (core/control/events.ts): a point's value in effect changed. */
  controlPoints: (site: string) => `${topicPrefix}/control/${site}/points`,
  /** Gateway → collectors, retained Progress: the last batch the broker acknowledged (high-water mark). */
  progress: (gateway: string) => `${topicPrefix}/${gateway}/progress`,
  /** Collector → gateway, QoS 1, Stored: batches a collector stored; the gateway's spool lets them go. */
  stored: (gateway: string) => `${topicPrefix}/${gateway}/stored`,
  /** Retained Availability; the gateway's last will. */
  availability: (gateway: string) => `${topicPrefix}/${gateway}/availability`,
  /** Gateway → anyone, QoS 1, retained DeviceAvailability: whether the gateway hears one field device. */
  deviceAvailability: (gateway: string, device: string) =>
    `${topicPrefix}/${gateway}/devices/${device}/availability`,
} as const;

/** The gateway id in a telemetry topic, or undefined if the topic is not one. */
export function gatewayOfTelemetryTopic(topic: string): string | undefined {
  const m = /^jn\/v1\/([^/]+)\/telemetry$/.exec(topic);
  return m?.[1];
}

/** Subscription filters for the availability of every gateway and of every field device (retained). */
export const availabilityFilters = {
  gateways: `${topicPrefix}/+/availability`,
  devices: `${topicPrefix}/+/devices/+/availability`,
} as const;

/** Gateway (and device) of an availability topic, or undefined if the topic is not one. */
export function availabilityTopicOf(topic: string): { gateway: string; device?: string } | undefined {
  const m = /^jn\/v1\/([^/]+)\/(?:devices\/([^/]+)\/)?availability$/.exec(topic);
  if (!m?.[1]) return undefined;
  return m[2] ? { gateway: m[1], device: m[2] } : { gateway: m[1] };
}
