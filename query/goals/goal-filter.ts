import type { Filter, GoalDefinition } from '../../shared/api.ts';

/** `/blog/*` as the anchored regular expression of the `matches` filter: `*` is any run of characters. */
export function wildcardPattern(page: string): string {
  return `^${page
    .split('*')
    .map((part) => part.replace(/[\\^$.|?+()[\]{}/-]/g, (c) => `\\${c}`))
    .join('.*')}$`;
}

/**
 * The goal as a general-query filter selecting its conversion records, so both backends count
 * goals with the queries they already run: conversions are the visitors matching it.
 */
export function goalFilter(goal: GoalDefinition): Filter {
  switch (goal.type) {
    case 'page': {
      const path: Filter = goal.page.includes('*')
        ? ['matches', 'page', [wildcardPattern(goal.page)]]
        : ['is', 'page', [goal.page]];
      return ['and', [['is', 'event:kind', ['pageview']], path]];
    }
    case 'action': {
      const parts: Filter[] = [
        ['is', 'event:kind', ['action']],
        ['is', 'event:name', [goal.action]],
      ];
      const c = goal.condition;
      if (c) parts.push([c.op, `event:props:${c.prop}`, [c.value]]);
      return ['and', parts];
    }
    case 'share': {
      const parts: Filter[] = [['is', 'event:kind', ['share']]];
      if (goal.channel) parts.push(['is', 'share:channel', [goal.channel]]);
      return ['and', parts];
    }
  }
}
