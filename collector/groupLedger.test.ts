import { describe, expect, it } from 'vitest';
import { GroupLedger } from './groupLedger.ts';

const mark = (seq: number, confirmed: number, epoch = 'e1') => ({
  gateway: 'gw',
  epoch,
  seq,
  confirmed,
  at: '2026-12-01T00:00:00Z',
});

describe('group ledger', () => {
  it('names the batches a spool limit dropped before any collector stored them', () => {
    const ledger = new GroupLedger(10_000);
    ledger.progress(mark(10, 10), 0); // started here: up to 10 was handled before
    expect(ledger.check(10_000)).toEqual([]);
    // Two collectors of the group confirm their shares; 14 and 15 never came.
    ledger.stored('gw', 'e1', [
      [11, 11],
      [13, 13],
    ]);
    ledger.stored('gw', 'e1', [
      [12, 12],
      [16, 20],
    ]);
    ledger.progress(mark(20, 20), 20_000);
    expect(ledger.check(29_999)).toEqual([]); // a confirmation may still be on its way
    expect(ledger.check(30_000)).toEqual([
      { gateway: 'gw', epoch: 'e1', missing: [14, 15], cause: 'dropped at the source' },
    ]);
    ledger.progress(mark(22, 20), 40_000);
    expect(ledger.check(60_000)).toEqual([]); // reported once
  });

  it('waits while the gateway still holds what no collector confirmed, and names it when its spool is replaced', () => {
    const ledger = new GroupLedger(1000);
    ledger.progress(mark(5, 5), 0);
    ledger.check(1000);
    ledger.stored('gw', 'e1', [[6, 7]]);
    ledger.progress(mark(9, 7), 2000); // 8 and 9 acknowledged by the broker, not yet stored
    expect(ledger.check(10_000)).toEqual([]);
    ledger.progress(mark(3, 3, 'e2'), 20_000); // a new spool: 8 and 9 will never be sent again
    expect(ledger.check(30_000)).toEqual([
      { gateway: 'gw', epoch: 'e1', missing: [8, 9], cause: 'spool replaced' },
    ]);
  });

  it('takes a confirmation of ten million batches as one range, bounded by what the gateway announced', () => {
    const ledger = new GroupLedger(0);
    ledger.progress(mark(100, 100), 0);
    ledger.check(0);
    ledger.stored('gw', 'e1', [[1, 1e12]]);
    ledger.progress(mark(200, 200), 1);
    expect(ledger.check(1)).toEqual([]);
  });

  it('judges nothing it may have missed confirmations for: after a reconnect the next mark is a fresh start', () => {
    const ledger = new GroupLedger(0);
    ledger.progress(mark(10, 10), 0);
    ledger.check(0);
    ledger.forgetBaselines(); // the watching connection was away: other collectors' confirmations are unknown
    ledger.progress(mark(100, 100), 1);
    expect(ledger.check(1)).toEqual([]);
    ledger.progress(mark(110, 110), 2);
    expect(ledger.check(2)).toEqual([
      {
        gateway: 'gw',
        epoch: 'e1',
        missing: [101, 102, 103, 104, 105, 106, 107, 108, 109, 110],
        cause: 'dropped at the source',
      },
    ]);
  });
});
