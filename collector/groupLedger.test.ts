import { describe, expect, it } from 'vitest';
import { GroupLedger } from './groupLedger.ts';

const mark = (seq: number, confirmed: number, dropped: [number, number][] = [], epoch = 'e1') => ({
  gateway: 'gw',
  epoch,
  seq,
  confirmed,
  dropped,
  at: '2026-12-01T00:00:00Z',
});

describe('group ledger', () => {
  it('names the batches a spool limit dropped before any collector stored them, once', () => {
    const ledger = new GroupLedger(10_000);
    ledger.progress(mark(10, 10), 0);
    expect(ledger.check(10_000)).toEqual([]);
    // Two collectors of the group confirm their shares; 14 and 15 were dropped while the broker
    // was away, and 16's confirmation reached the ledger but not the gateway before the drop.
    ledger.stored('gw', 'e1', [
      [11, 11],
      [13, 13],
    ]);
    ledger.stored('gw', 'e1', [
      [12, 12],
      [16, 16],
    ]);
    ledger.progress(mark(20, 20, [[14, 16]]), 20_000);
    expect(ledger.check(29_999)).toEqual([]); // a confirmation may still be on its way
    expect(ledger.check(30_000)).toEqual([
      { gateway: 'gw', epoch: 'e1', missing: [14, 15], cause: 'dropped at the source' },
    ]);
    ledger.progress(mark(22, 22, [[14, 16]]), 40_000); // every mark lists the latest drops
    expect(ledger.check(60_000)).toEqual([]);
  });

  it('still names drops after its own connection was away (it missed confirmations meanwhile)', () => {
    const ledger = new GroupLedger(0);
    ledger.progress(mark(10, 10), 0);
    ledger.check(0);
    ledger.forgetBaselines();
    ledger.progress(mark(30, 25, [[11, 14]]), 1);
    expect(ledger.check(1)).toEqual([
      { gateway: 'gw', epoch: 'e1', missing: [11, 12, 13, 14], cause: 'dropped at the source' },
    ]);
  });

  it('waits while the gateway still holds what no collector confirmed, and names it when its spool is replaced', () => {
    const ledger = new GroupLedger(1000);
    ledger.progress(mark(5, 5), 0);
    ledger.check(1000);
    ledger.stored('gw', 'e1', [[6, 7]]);
    ledger.progress(mark(9, 7), 2000); // 8 and 9 acknowledged by the broker, not yet stored
    expect(ledger.check(10_000)).toEqual([]);
    ledger.progress(mark(3, 3, [], 'e2'), 20_000); // a new spool: 8 and 9 will never be sent again
    expect(ledger.check(30_000)).toEqual([
      { gateway: 'gw', epoch: 'e1', missing: [8, 9], cause: 'spool replaced' },
    ]);
  });

  it('takes forged ranges as bounded by what the gateway announced', () => {
    const ledger = new GroupLedger(0);
    ledger.progress(mark(100, 100), 0);
    ledger.check(0);
    ledger.stored('gw', 'e1', [[1, 1e12]]);
    ledger.progress(mark(200, 200, [[150, 1e12]]), 1);
    expect(ledger.check(1)).toEqual([]); // quick: nothing walked past seq 200
  });
});
