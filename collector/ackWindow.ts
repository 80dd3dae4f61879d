/**
 * QoS 1 acknowledgements held until the store has a message's readings, without holding up the
 * connection. mqtt.js hands over one message at a time and sends its PUBACK when `handleMessage`
 * calls back, so calling back only after the store write allows one message in flight per
 * connection: the next message is not even parsed while the store works. The window lets a
 * connection take up to `size` messages before their writes finish; each PUBACK is sent once the
 * message is stored and, as MQTT requires [MQTT-4.6.0-2], in the order the messages arrived.
 * A message that is never stored (the collector stopping while the store is down) is never
 * acknowledged, and neither is any after it on that connection: the broker redelivers them.
 */
export class AckWindow {
  private queue: { id: number; stored: boolean }[] = [];
  private inFlight = 0;
  private waiting: (() => void) | undefined;

  constructor(
    readonly size: number,
    private readonly sendAck: (messageId: number) => void,
  ) {
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`ack window must be ≥ 1, got ${size}`);
  }

  /**
   * A message arrives: `next` lets the connection go on to the following one, now or, when the
   * window is full, once a message in it is done. Returns the callback to call when it is done:
   * `stored` true sends its acknowledgement (in order), false leaves it unacknowledged.
   */
  take(messageId: number, next: () => void): (stored: boolean) => void {
    const entry = { id: messageId, stored: false };
    this.queue.push(entry);
    this.inFlight++;
    if (this.inFlight < this.size) next();
    else this.waiting = next;
    return (stored) => {
      this.inFlight--;
      // An entry from before a reset is no longer queued: marking it sends nothing.
      entry.stored = stored;
      while (this.queue[0]?.stored) this.sendAck((this.queue.shift() as { id: number }).id);
      const wake = this.waiting;
      if (wake && this.inFlight < this.size) {
        this.waiting = undefined;
        wake();
      }
    };
  }

  /**
   * The connection closed: acknowledgements still owed belong to a session the broker will
   * replay (redelivering those messages), so they are not sent on the next connection.
   */
  reset(): void {
    this.queue = [];
  }
}
