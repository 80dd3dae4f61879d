/** One Server-Sent Event as a client parses it. */
export interface SseEvent {
  id: string | undefined;
  event: string;
  data: string;
}

/** An open event stream: what it has received so far, and how to hang up. */
export interface SseStream {
  status: number;
  headers: Headers;
  events: SseEvent[];
  /** Comment lines (`: heartbeat`), without the colon. */
  comments: string[];
  /** Whether the server ended the stream (or dropped the connection). */
  ended: boolean;
  close(): void;
  /** The body of a refused stream (a problem). */
  body?: unknown;
}

/**
 * Opens `url` as an EventSource would (Accept: text/event-stream, `Last-Event-ID` when given) and
 * parses events as they arrive (the SSE format of the WHATWG HTML standard, §9.2).
 */
export async function openStream(url: string, headers: Record<string, string> = {}): Promise<SseStream> {
  const abort = new AbortController();
  const res = await fetch(url, {
    headers: { accept: 'text/event-stream', ...headers },
    signal: abort.signal,
  });
  const stream: SseStream = {
    status: res.status,
    headers: res.headers,
    events: [],
    comments: [],
    ended: false,
    close: () => abort.abort(),
  };
  if (res.status !== 200 || !res.body) {
    stream.body = await res.json().catch(() => undefined);
    stream.ended = true;
    return stream;
  }
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let pending = '';
  void (async () => {
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        pending += value;
        let end = pending.indexOf('\n\n');
        while (end >= 0) {
          parseBlock(pending.slice(0, end), stream);
          pending = pending.slice(end + 2);
          end = pending.indexOf('\n\n');
        }
      }
    } catch {
      // aborted by close(), or the server dropped the connection
    }
    stream.ended = true;
  })();
  return stream;
}

function parseBlock(block: string, stream: SseStream): void {
  const event: SseEvent = { id: undefined, event: 'message', data: '' };
  let isEvent = false;
  for (const line of block.split('\n')) {
    if (line.startsWith(':')) {
      stream.comments.push(line.slice(1).trim());
      continue;
    }
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'id') event.id = value;
    else if (field === 'event') event.event = value;
    else if (field === 'data') {
      event.data = event.data ? `${event.data}\n${value}` : value;
      isEvent = true;
    }
  }
  if (isEvent) stream.events.push(event);
}
