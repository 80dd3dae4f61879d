/** What every service reports for `GET /api/v1/health`. */
export interface ServiceStatus {
  state: 'starting' | 'running' | 'degraded' | 'stopped';
  /** Counters and the last error, service-specific. */
  detail?: Record<string, unknown>;
}
