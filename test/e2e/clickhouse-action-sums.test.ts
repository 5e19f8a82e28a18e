import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emptyRecord, type StoredRecord } from '../../storage/schema.ts';
import { DAY_MS } from '../../shared/time.ts';
import { openParityPair, type ParityPair } from './parity-pair.ts';

// overall's action sums past 20 keys leave the one-column-per-key statement for the ARRAY JOIN one
// (security review C1: a statement with a column per attacker key). The parity data of the other
// tests has 6 numeric keys, so this data set is built to take the second path: 130 names (past
// the 100 shown), each with 25 numeric keys of its own (past the 20 summed per name), on two sites.
const NOW = Date.parse('2026-11-27T12:00:00Z');
const clock = () => NOW;

function records(): StoredRecord[] {
  const out: StoredRecord[] = [];
  for (let n = 0; n < 130; n++)
    for (let repeat = 0; repeat <= n % 4; repeat++) {
      const r = emptyRecord(
        'action',
        NOW - DAY_MS / 2 + n * 1000 + repeat,
        n % 3 ? 'a.example' : 'b.example',
      );
      r.visitor = `v${n % 17}`;
      r.name = `action-${String(n).padStart(3, '0')}`;
      r.props = Object.fromEntries(Array.from({ length: 25 }, (_, k) => [`key-${n}-${k}`, k + repeat / 4]));
      // a string prop is never summed
      r.props.label = `text ${n}`;
      out.push(r);
    }
  return out;
}

let pair: ParityPair;

beforeAll(async () => {
  pair = await openParityPair(records(), { database: 'action_sums', clock, cards: [] });
});

afterAll(async () => {
  await pair?.close();
});

describe('overall action sums on ClickHouse past 20 keys (the ARRAY JOIN statement)', () => {
  it.each([undefined, 'a.example', 'b.example'])('equal the in-memory engine for site %s', async (site) => {
    const answer = await pair.same((s) => s.overall({ days: 1, ...(site ? { site } : {}) }));
    const names = Object.keys(answer.actions);
    const total = site === undefined ? 130 : site === 'a.example' ? 86 : 44;
    expect(names.length).toBe(Math.min(100, total));
    // each shown name carries sums of 20 of its own 25 keys, none of another name's
    for (const name of names) {
      const n = Number(name.slice('action-'.length));
      const sums = Object.keys(answer.actions[name]!.sums);
      expect(sums.length).toBe(20);
      for (const key of sums) expect(key.startsWith(`key-${n}-`)).toBe(true);
    }
    expect(answer.actions_more.names).toBe(total - names.length);
  });
});
