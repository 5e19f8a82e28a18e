import type { Random } from './random.ts';

export interface SharedLink {
  code: string;
  /** the share channel, which the link carries as ref=<channel> */
  channel: string;
  /** when it was shared, epoch ms */
  at: number;
}

/**
 * Recently shared links, so later sessions can arrive through them. Bounded (a ring of the last
 * `capacity` shares) so a 10M-event run keeps constant memory; recent links are picked more often,
 * as shared galleries are opened mostly in the first days.
 */
export class SharedLinks {
  private readonly ring: SharedLink[] = [];
  private next = 0;

  constructor(private readonly capacity = 2000) {}

  add(link: SharedLink): void {
    if (this.ring.length < this.capacity) this.ring.push(link);
    else this.ring[this.next] = link;
    this.next = (this.next + 1) % this.capacity;
  }

  /** A link shared before `ts`, or null when none is (the first hours of a dataset). */
  pickBefore(ts: number, random: Random): SharedLink | null {
    const n = this.ring.length;
    if (n === 0) return null;
    const age = Math.floor(n * Math.pow(random.next(), 3));
    const index = (this.next - 1 - age + 2 * n) % n;
    const link = this.ring[index]!;
    return link.at < ts ? link : null;
  }
}
