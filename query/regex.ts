/**
 * The `matches` filter's regular expressions, run in time linear in the text: a Thompson NFA
 * simulated Pike-style (every live state advanced together, no backtracking, no captures). JS
 * RegExp backtracks, so `(a+)+$` over a visitor-planted path of 30 a's froze the collector for
 * seconds, doubling per character (security review M1). A test costs at most text length ×
 * program size (≤ MAX_PROGRAM), about 10 ms for a 2,000-character path at the worst.
 *
 * The subset, with JS RegExp's meaning (no flags, UTF-16 code units), is also what ClickHouse's
 * RE2 `match()` reads the same way, so both backends accept the same patterns: literals; escapes
 * \n \r \t \f \v \xHH and of any punctuation; `.`; classes `[a-z_]`, `[^…]` with \d \w \s \D \W \S
 * inside; \d \w \s \D \W \S \b \B; anchors ^ $; groups `(…)` and `(?:…)`; alternation; the
 * quantifiers * + ? {n} {n,} {n,m} and their lazy forms. Anything else (backreferences,
 * lookaround, named groups, \u, \c, \0, a bare `{`) is refused with RegexSyntaxError.
 */

/** Past this many instructions (counted repeats are expanded) a pattern is refused. */
export const MAX_PROGRAM = 2_000;

export class RegexSyntaxError extends Error {}

/** A set of UTF-16 code units: sorted inclusive [lo, hi] pairs, possibly negated. */
interface CharSet {
  ranges: number[];
  negate: boolean;
}

type Node =
  | { t: 'set'; set: CharSet }
  | { t: 'seq'; items: Node[] }
  | { t: 'alt'; options: Node[] }
  | { t: 'repeat'; node: Node; min: number; max: number }
  | { t: 'assert'; kind: '^' | '$' | 'b' | 'B' };

const DIGIT = [48, 57];
const WORD = [48, 57, 65, 90, 95, 95, 97, 122];
// JS \s: WhiteSpace and LineTerminator.
const SPACE = [
  9, 13, 32, 32, 160, 160, 5760, 5760, 8192, 8202, 8232, 8233, 8239, 8239, 8287, 8287, 12288, 12288, 65279,
  65279,
];
const LINE_ENDS = [10, 10, 13, 13, 8232, 8233];
const CONTROL: Record<string, number> = { n: 10, r: 13, t: 9, f: 12, v: 11 };

class Parser {
  private at = 0;
  constructor(private readonly src: string) {}

  parse(): Node {
    const node = this.alternation();
    if (this.at < this.src.length) this.fail(`unexpected ${JSON.stringify(this.src[this.at])}`);
    return node;
  }

  private fail(message: string): never {
    throw new RegexSyntaxError(`${message} at position ${this.at}`);
  }

  private alternation(): Node {
    const options = [this.sequence()];
    while (this.src[this.at] === '|') {
      this.at++;
      options.push(this.sequence());
    }
    return options.length === 1 ? options[0]! : { t: 'alt', options };
  }

  private sequence(): Node {
    const items: Node[] = [];
    while (this.at < this.src.length && this.src[this.at] !== '|' && this.src[this.at] !== ')')
      items.push(this.quantified());
    return { t: 'seq', items };
  }

  private quantified(): Node {
    const start = this.at;
    const node = this.atom();
    const c = this.src[this.at];
    let min: number;
    let max: number;
    if (c === '*' || c === '+' || c === '?') {
      this.at++;
      [min, max] = c === '*' ? [0, Infinity] : c === '+' ? [1, Infinity] : [0, 1];
    } else if (c === '{') {
      const m = /^\{(\d{1,4})(,(\d{0,4}))?\}/.exec(this.src.slice(this.at));
      if (!m) this.fail('a "{" must start a quantifier {n}, {n,} or {n,m} (write \\{ for the character)');
      this.at += m[0].length;
      min = Number(m[1]);
      max = m[2] === undefined ? min : m[3] === '' ? Infinity : Number(m[3]);
      if (max < min) this.fail('quantifier {n,m} needs n ≤ m');
    } else return node;
    if (node.t === 'assert') {
      this.at = start;
      this.fail('nothing to repeat');
    }
    if (this.src[this.at] === '?') this.at++; // lazy: the same texts match
    if ('*+?{'.includes(this.src[this.at] ?? '.')) this.fail('nothing to repeat');
    return { t: 'repeat', node, min, max };
  }

  private atom(): Node {
    const c = this.src[this.at++]!;
    switch (c) {
      case '(': {
        if (this.src[this.at] === '?') {
          if (this.src[this.at + 1] !== ':')
            this.fail('only (…) and (?:…) groups are supported (no lookaround or named groups)');
          this.at += 2;
        }
        const node = this.alternation();
        if (this.src[this.at] !== ')') this.fail('missing ")"');
        this.at++;
        // A sequence, so a group holding only an assertion, `(^)*`, can be repeated as in JS.
        return { t: 'seq', items: [node] };
      }
      case ')':
        return this.fail('unmatched ")"');
      case '*':
      case '+':
      case '?':
      case '{':
        this.at--;
        return this.fail('nothing to repeat');
      case '^':
      case '$':
        return { t: 'assert', kind: c };
      case '.':
        return { t: 'set', set: { ranges: LINE_ENDS, negate: true } };
      case '[':
        return { t: 'set', set: this.charClass() };
      case '\\': {
        const e = this.src[this.at];
        if (e === 'b' || e === 'B') {
          this.at++;
          return { t: 'assert', kind: e };
        }
        const escaped = this.escape(false);
        return { t: 'set', set: typeof escaped === 'number' ? single(escaped) : escaped };
      }
      default:
        return { t: 'set', set: single(c.charCodeAt(0)) };
    }
  }

  /** After a backslash: a code unit, or a class such as \d. */
  private escape(inClass: boolean): number | CharSet {
    const e = this.src[this.at++];
    if (e === undefined) return this.fail('"\\" at the end of the pattern');
    const cls = { d: DIGIT, w: WORD, s: SPACE }[e.toLowerCase()];
    if (cls && 'dwsDWS'.includes(e)) return { ranges: cls, negate: e !== e.toLowerCase() };
    if (e in CONTROL) return CONTROL[e]!;
    if (e === 'b' && inClass) return 8;
    if (e === 'x') {
      const hex = /^[0-9a-fA-F]{2}/.exec(this.src.slice(this.at));
      if (!hex) this.fail('\\x needs two hex digits');
      this.at += 2;
      return parseInt(hex[0], 16);
    }
    if (/[0-9]/.test(e)) this.fail(`\\${e}: backreferences and octal escapes are not supported`);
    if (/[A-Za-z]/.test(e)) this.fail(`\\${e} is not a supported escape`);
    return e.charCodeAt(0);
  }

  private charClass(): CharSet {
    const negate = this.src[this.at] === '^';
    if (negate) this.at++;
    const ranges: number[] = [];
    if (this.src[this.at] === ']') this.fail('empty character class');
    while (this.src[this.at] !== ']') {
      if (this.at >= this.src.length) this.fail('missing "]"');
      const lo = this.classAtom();
      if (this.src[this.at] === '-' && this.src[this.at + 1] !== ']' && this.at + 1 < this.src.length) {
        if (typeof lo !== 'number') this.fail('a class such as \\d cannot start a range');
        this.at++;
        const hi = this.classAtom();
        if (typeof hi !== 'number') this.fail('a class such as \\d cannot end a range');
        if (hi < lo) this.fail('range out of order in character class');
        ranges.push(lo, hi);
      } else if (typeof lo === 'number') ranges.push(lo, lo);
      else ranges.push(...(lo.negate ? complement(lo.ranges) : lo.ranges));
    }
    this.at++;
    return { ranges: normalize(ranges), negate };
  }

  private classAtom(): number | CharSet {
    const c = this.src[this.at++]!;
    if (c === '\\') return this.escape(true);
    if (c === '[') this.fail('write \\[ for "[" inside a character class');
    return c.charCodeAt(0);
  }
}

function single(code: number): CharSet {
  return { ranges: [code, code], negate: false };
}

function normalize(ranges: number[]): number[] {
  const pairs: [number, number][] = [];
  for (let k = 0; k < ranges.length; k += 2) pairs.push([ranges[k]!, ranges[k + 1]!]);
  pairs.sort((a, b) => a[0] - b[0]);
  const out: number[] = [];
  for (const [lo, hi] of pairs) {
    if (out.length > 0 && lo <= out[out.length - 1]! + 1)
      out[out.length - 1] = Math.max(out[out.length - 1]!, hi);
    else out.push(lo, hi);
  }
  return out;
}

function complement(ranges: number[]): number[] {
  const sorted = normalize(ranges);
  const out: number[] = [];
  let next = 0;
  for (let k = 0; k < sorted.length; k += 2) {
    if (sorted[k]! > next) out.push(next, sorted[k]! - 1);
    next = sorted[k + 1]! + 1;
  }
  if (next <= 0xffff) out.push(next, 0xffff);
  return out;
}

function inSet(set: CharSet, code: number): boolean {
  const r = set.ranges;
  let found = false;
  for (let k = 0; k < r.length; k += 2)
    if (code >= r[k]! && code <= r[k + 1]!) {
      found = true;
      break;
    }
  return found !== set.negate;
}

const Op = { Set: 0, Split: 1, Jump: 2, Assert: 3, Match: 4 } as const;
type Instr =
  | { op: typeof Op.Set; set: CharSet }
  | { op: typeof Op.Split; x: number; y: number }
  | { op: typeof Op.Jump; x: number }
  | { op: typeof Op.Assert; kind: '^' | '$' | 'b' | 'B' }
  | { op: typeof Op.Match };
type Split = { op: typeof Op.Split; x: number; y: number };

function compile(node: Node): Instr[] {
  const prog: Instr[] = [];
  const emit = (instr: Instr): number => {
    if (prog.length >= MAX_PROGRAM)
      throw new RegexSyntaxError(
        `pattern too large (more than ${MAX_PROGRAM} steps once repeats are expanded)`,
      );
    prog.push(instr);
    return prog.length - 1;
  };
  const gen = (n: Node): void => {
    switch (n.t) {
      case 'set':
        emit({ op: Op.Set, set: n.set });
        return;
      case 'assert':
        emit({ op: Op.Assert, kind: n.kind });
        return;
      case 'seq':
        for (const item of n.items) gen(item);
        return;
      case 'alt': {
        const jumps: { x: number }[] = [];
        n.options.forEach((option, k) => {
          if (k < n.options.length - 1) {
            const split = { op: Op.Split, x: 0, y: 0 } as Split;
            emit(split);
            split.x = prog.length;
            gen(option);
            const jump = { op: Op.Jump, x: 0 } as { op: typeof Op.Jump; x: number };
            emit(jump);
            jumps.push(jump);
            split.y = prog.length;
          } else gen(option);
        });
        for (const jump of jumps) jump.x = prog.length;
        return;
      }
      case 'repeat': {
        for (let k = 0; k < n.min; k++) gen(n.node);
        if (n.max === Infinity) {
          const split = { op: Op.Split, x: 0, y: 0 } as Split;
          const loop = emit(split);
          split.x = prog.length;
          gen(n.node);
          emit({ op: Op.Jump, x: loop });
          split.y = prog.length;
        } else {
          const splits: Split[] = [];
          for (let k = n.min; k < n.max; k++) {
            const split = { op: Op.Split, x: 0, y: 0 } as Split;
            emit(split);
            split.x = prog.length;
            splits.push(split);
            gen(n.node);
          }
          for (const split of splits) split.y = prog.length;
        }
        return;
      }
    }
  };
  gen(node);
  emit({ op: Op.Match });
  return prog;
}

function isWord(code: number): boolean {
  return (
    (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || code === 95 || (code >= 97 && code <= 122)
  );
}

/** Parses and compiles `pattern`; throws RegexSyntaxError (with the reason) outside the subset. */
export function compileRegex(pattern: string): { test(text: string): boolean } {
  const prog = compile(new Parser(pattern).parse());
  const size = prog.length;
  // Sparse sets of program counters for the current and next position, reused by every test.
  let cur = { dense: new Int32Array(size), sparse: new Int32Array(size), n: 0 };
  let nxt = { dense: new Int32Array(size), sparse: new Int32Array(size), n: 0 };
  const stack = new Int32Array(size * 2 + 2);
  const has = (s: typeof cur, pc: number) => s.sparse[pc]! < s.n && s.dense[s.sparse[pc]!] === pc;

  return {
    test(text: string): boolean {
      const len = text.length;
      const wordAt = (i: number) => i >= 0 && i < len && isWord(text.charCodeAt(i));
      // Follows jumps, splits and assertions from `start` at position i; true when MATCH is reached.
      const add = (list: typeof cur, start: number, i: number): boolean => {
        let top = 0;
        stack[top++] = start;
        while (top > 0) {
          const pc = stack[--top]!;
          if (has(list, pc)) continue;
          list.sparse[pc] = list.n;
          list.dense[list.n++] = pc;
          const instr = prog[pc]!;
          switch (instr.op) {
            case Op.Match:
              return true;
            case Op.Jump:
              stack[top++] = instr.x;
              break;
            case Op.Split:
              stack[top++] = instr.y;
              stack[top++] = instr.x;
              break;
            case Op.Assert: {
              const k = instr.kind;
              const holds =
                k === '^' ? i === 0 : k === '$' ? i === len : (wordAt(i - 1) !== wordAt(i)) === (k === 'b');
              if (holds) stack[top++] = pc + 1;
              break;
            }
            case Op.Set:
              break;
          }
        }
        return false;
      };
      cur.n = 0;
      if (add(cur, 0, 0)) return true;
      for (let i = 0; i < len; i++) {
        const code = text.charCodeAt(i);
        nxt.n = 0;
        for (let k = 0; k < cur.n; k++) {
          const instr = prog[cur.dense[k]!]!;
          if (instr.op === Op.Set && inSet(instr.set, code) && add(nxt, cur.dense[k]! + 1, i + 1))
            return true;
        }
        // An unanchored search: a new attempt starts at every position.
        if (add(nxt, 0, i + 1)) return true;
        [cur, nxt] = [nxt, cur];
      }
      return false;
    },
  };
}
