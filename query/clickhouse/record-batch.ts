import type { ClickHouseConnection } from './connection.ts';
import { plainRows, type RangeScope } from './prepared.ts';
import { raw, sql, type SqlFragment } from './sql.ts';
import { rows } from './run.ts';

/** One question's record figures: its groups, its condition, and what it sums. */
export interface RecordQuestion {
  /** the String expressions it groups by */
  dims: readonly string[];
  where: SqlFragment;
  /** `recordFigures` columns: the union of a batch's is computed for all */
  figures: readonly string[];
  propKeys: readonly string[];
}

/** What one question gets back: its groups' figures, props in its own propKeys order. */
export interface RecordRow {
  d: string[];
  props: number[];
  [figure: string]: unknown;
}

const MAX_BATCH = 16;
/** Like SUMIF_KEYS in aggregate.ts: a batch sums at most this many distinct keys. */
const MAX_KEYS = 20;

interface Waiting {
  question: RecordQuestion;
  resolve: (rows: RecordRow[]) => void;
  reject: (error: unknown) => void;
}

/**
 * Gathers the record questions about one scope that arrive in the same turn of the event loop
 * into one statement. A filtered `overall` asks a dozen of them at once (its totals, cards, time
 * series, actions, shares), each a GROUP BY over the same 370k rows at 30 days on 1M events;
 * together they read those rows once: every row is repeated (arrayJoin) for each question whose
 * condition it meets, with that question's groups, and grouped by (question, groups).
 */
export class RecordBatcher {
  private readonly waiting = new Map<string, { scope: RangeScope; list: Waiting[] }>();

  constructor(private readonly conn: ClickHouseConnection) {}

  figures(scope: RangeScope, question: RecordQuestion, figureNames: readonly string[]): Promise<RecordRow[]> {
    const key = `${scope.table.text}\u0000${scope.site}\u0000${scope.from}\u0000${scope.to}\u0000${scope.rest?.text ?? ''}`;
    return new Promise((resolve, reject) => {
      let batch = this.waiting.get(key);
      if (!batch) {
        batch = { scope, list: [] };
        this.waiting.set(key, batch);
        const mine = batch;
        setImmediate(() => {
          if (this.waiting.get(key) === mine) this.waiting.delete(key);
          void this.run(mine.scope, mine.list, figureNames);
        });
      }
      batch.list.push({ question, resolve, reject });
    });
  }

  private async run(scope: RangeScope, list: Waiting[], figureNames: readonly string[]): Promise<void> {
    // Split into statements of at most MAX_BATCH questions and MAX_KEYS summed keys.
    const groups: Waiting[][] = [];
    for (const w of list) {
      const last = groups[groups.length - 1];
      const keys = new Set([...(last ?? []).flatMap((x) => x.question.propKeys), ...w.question.propKeys]);
      if (last && last.length < MAX_BATCH && keys.size <= MAX_KEYS) last.push(w);
      else groups.push([w]);
    }
    await Promise.all(
      groups.map(async (group) => {
        try {
          const found = await rows<RecordRow & { q: number }>(
            this.conn,
            group.length === 1
              ? single(scope, group[0]!.question, figureNames)
              : statement(
                  scope,
                  group.map((w) => w.question),
                  figureNames,
                ),
          );
          const keys = unionKeys(group.map((w) => w.question));
          const out = group.map((): RecordRow[] => []);
          for (const r of found) {
            const own = group[Number(r.q)]!.question.propKeys;
            out[Number(r.q)]!.push({ ...r, props: own.map((k) => Number(r.props[keys.indexOf(k)] ?? 0)) });
          }
          // Without groups a question has one row even over no records, as a plain aggregation has.
          group.forEach((w, i) => {
            if (w.question.dims.length === 0 && out[i]!.length === 0)
              out[i]!.push(emptyRow(w.question, figureNames));
            w.resolve(out[i]!);
          });
        } catch (error) {
          for (const w of group) w.reject(error);
        }
      }),
    );
  }
}

/**
 * A question alone, as one GROUP BY over its own records: the gathered form's arrayJoin and array
 * keys cost a lone question about twice its time.
 */
function single(scope: RangeScope, question: RecordQuestion, figureNames: readonly string[]): SqlFragment {
  const names = question.dims.map((_, i) => `d${i}`);
  const figures = new Set(question.figures);
  const columns = figureNames.map((name) => (figures.has(name) ? name : `0 AS ${name.split(' AS ').pop()}`));
  const sums = question.propKeys.map((k) => sumOf(k).text);
  const dims = question.dims.map((e, i) => `${e} AS d${i},`).join(' ');
  return sql`SELECT 0 AS q, [${raw(names.join(', '))}] AS d, ${raw(columns.join(', '))}, count() AS matched, [${raw(sums.join(', '))}] AS props
    FROM (SELECT ${raw(dims)} * FROM (${plainRows(scope, question.where)}))
    ${raw(names.length ? `GROUP BY ${names.join(', ')}` : '')}`;
}

function sumOf(key: string): SqlFragment {
  return sql`sumIf(toFloat64OrZero(prop_values[indexOf(prop_keys, ${key})]), prop_numeric[indexOf(prop_keys, ${key})] = 1)`;
}

function emptyRow(question: RecordQuestion, figureNames: readonly string[]): RecordRow {
  const row: RecordRow = { d: [], props: question.propKeys.map(() => 0), matched: 0 };
  for (const name of figureNames) row[name.split(' AS ').pop()!] = 0;
  return row;
}

function unionKeys(questions: readonly RecordQuestion[]): string[] {
  return [...new Set(questions.flatMap((q) => q.propKeys))];
}

/**
 * One statement for two or more questions: rows meeting any condition, each repeated once per
 * question it meets (`q`, its index), with that question's dimension values as `d`. The
 * conditions are an argument of the lambda, never read inside it: 18.16 drops columns only a
 * lambda reads.
 */
function statement(
  scope: RangeScope,
  questions: readonly RecordQuestion[],
  figureNames: readonly string[],
): SqlFragment {
  const keys = unionKeys(questions);
  const figures = new Set(questions.flatMap((q) => q.figures));
  const columns = figureNames.map((name) => (figures.has(name) ? name : `0 AS ${name.split(' AS ').pop()}`));
  const sums = keys.map((k) => sumOf(k).text);
  const conds = questions.map((q) => `toUInt8(${q.where.text})`).join(', ');
  // Each row's groups by its question: multiIf rather than indexing an array of every question's
  // groups, which built that array of arrays for every row (at 30 days on 1M events, a filtered
  // overall's batch of 11 questions: median 135 → 106 ms alone on the server).
  const dims = questions.map((q) => (q.dims.length ? `[${q.dims.join(', ')}]` : 'emptyArrayString()'));
  const groups = `multiIf(${dims
    .slice(0, -1)
    .map((e, i) => `q = ${i}, ${e}`)
    .join(', ')}, ${dims[dims.length - 1]!})`;
  const any = raw(questions.map((q) => `(${q.where.text})`).join(' OR '));
  return sql`SELECT q, d, ${raw(columns.join(', '))}, count() AS matched, [${raw(sums.join(', '))}] AS props
    FROM (
      SELECT *, ${raw(groups)} AS d
      FROM (
        SELECT *, arrayJoin(arrayFilter((i, c) -> c = 1, range(${questions.length}), [${raw(conds)}])) AS q
        FROM (${plainRows(scope, any)})
      )
    )
    GROUP BY q, d`;
}
