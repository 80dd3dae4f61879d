import { describe, expect, it } from 'vitest';
import { AckWindow } from './ackWindow.ts';

describe('AckWindow', () => {
  it('acknowledges in arrival order, each message only once it is stored', () => {
    const acks: number[] = [];
    const w = new AckWindow(8, (id) => acks.push(id));
    const done = [1, 2, 3].map((id) => w.take(id, () => {}));
    done[2]?.(true);
    done[1]?.(true);
    expect(acks).toEqual([]); // 1 is not stored yet
    done[0]?.(true);
    expect(acks).toEqual([1, 2, 3]);
  });

  it('takes no more messages while full, and the next one once a message is done', () => {
    let taken = 0;
    const w = new AckWindow(2, () => {});
    const d1 = w.take(1, () => taken++);
    w.take(2, () => taken++);
    expect(taken).toBe(1); // the second filled the window: the connection waits
    d1(true);
    expect(taken).toBe(2);
  });

  it('never acknowledges a message that was not stored, nor any after it', () => {
    const acks: number[] = [];
    const w = new AckWindow(8, (id) => acks.push(id));
    const [d1, d2, d3] = [1, 2, 3].map((id) => w.take(id, () => {}));
    d1?.(true);
    d2?.(false);
    d3?.(true);
    expect(acks).toEqual([1]);
  });

  it('sends nothing owed to a closed connection on the next one', () => {
    const acks: number[] = [];
    const w = new AckWindow(8, (id) => acks.push(id));
    const old = w.take(5, () => {});
    w.reset();
    const next = w.take(6, () => {});
    old(true);
    next(true);
    expect(acks).toEqual([6]);
    expect(() => new AckWindow(0, () => {})).toThrow(/≥ 1/);
  });
});
