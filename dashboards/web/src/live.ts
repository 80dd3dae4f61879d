/**
 * The API's event stream (GET /api/v1/stream, Server-Sent Events), one per browser tab: screens
 * subscribe to the event types they show (`reading`, `availability`, `point`, `alarm`, `reset`) and
 * unsubscribe when they unmount. The browser's EventSource reconnects with Last-Event-ID by itself;
 * `liveState` says whether the stream is open, so a screen never shows stale values as live.
 */
import { ref } from 'vue';

export type LiveState = 'closed' | 'connecting' | 'open' | 'lost';
export const liveState = ref<LiveState>('closed');

type Handler = (data: unknown) => void;
const handlers = new Map<string, Set<Handler>>();
let source: EventSource | undefined;

function dispatch(type: string, raw: string): void {
  let data: unknown;
  try {
    data = JSON.parse(raw);
  } catch {
    return;
  }
  for (const h of handlers.get(type) ?? []) h(data);
}

function listen(type: string): void {
  source?.addEventListener(type, (e) => dispatch(type, (e as MessageEvent<string>).data));
}

function open(): void {
  if (source) return;
  liveState.value = 'connecting';
  source = new EventSource('/api/v1/stream', { withCredentials: true });
  source.onopen = () => {
    liveState.value = 'open';
  };
  source.onerror = () => {
    // CLOSED: the API refused (401 after a logout, 503 at the stream limit): try again later.
    if (source?.readyState === EventSource.CLOSED) {
      source = undefined;
      liveState.value = 'lost';
      setTimeout(() => {
        if (handlers.size > 0) open();
      }, 5_000);
    } else liveState.value = 'lost';
  };
  for (const type of handlers.keys()) listen(type);
}

/** Calls `handler` with each event of `type` (its parsed JSON data); returns the unsubscribe. */
export function onLive(type: string, handler: Handler): () => void {
  let set = handlers.get(type);
  if (!set) {
    set = new Set();
    handlers.set(type, set);
    listen(type);
  }
  set.add(handler);
  open();
  return () => {
    set.delete(handler);
    if (set.size === 0) handlers.delete(type);
    if (handlers.size === 0) closeLive();
  };
}

export function closeLive(): void {
  source?.close();
  source = undefined;
  liveState.value = 'closed';
}
