import type { ExecutionContext } from '../context.ts';
import { failAt } from '../location.ts';
import type { RuleSite } from '../location.ts';
import type { Value } from '../values.ts';
import type { Variables } from '../variables.ts';
import { append, cast, copy, create, evaluate, truncate } from './basic.ts';
import { c, cc, cp, id, qty } from './datatypes.ts';
import { dateOp, toDate, toDateTime, toTime } from './dates.ts';
import { pointer, reference, uuid } from './references.ts';
import { escape } from './text.ts';
import { translate } from './translate.ts';
import type { Transform } from './types.ts';

function transformFor(site: RuleSite, name: string): Transform {
  switch (name) {
    case 'create':
      return create;
    case 'copy':
      return copy;
    case 'truncate':
      return truncate;
    case 'escape':
      return escape;
    case 'cast':
      return cast;
    case 'append':
      return append;
    case 'translate':
      return translate;
    case 'reference':
      return reference;
    case 'dateOp':
      return dateOp;
    case 'uuid':
      return uuid;
    case 'pointer':
      return pointer;
    case 'evaluate':
      return evaluate;
    case 'cc':
      return cc;
    case 'c':
      return c;
    case 'qty':
      return qty;
    case 'id':
      return id;
    case 'cp':
      return cp;
    case 'toDate':
      return toDate;
    case 'toDateTime':
      return toDateTime;
    case 'toTime':
      return toTime;
    default:
      failAt(site, 'FHIRMIG_ERR_MAP_TRANSFORM_UNKNOWN', `Unknown transform "${name}".`);
  }
}

/** HAPI runTransform: runs the target's transform and returns its value (undefined: nothing to set). */
export function runTransform(
  ctx: ExecutionContext,
  site: RuleSite,
  tgt: fhir4.StructureMapGroupRuleTarget,
  vars: Variables,
  dest: Value | undefined,
  srcVar: string | undefined,
): Value | undefined {
  const name = tgt.transform as string;
  const transform = transformFor(site, name);
  return transform({ ctx, site, name, params: tgt.parameter ?? [], vars, dest, element: tgt.element, srcVar });
}
