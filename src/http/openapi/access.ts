/** What a collection's access rules mean for an operation: its description, security and statuses. */
import type { Rule, RuleOperation } from '../../schema/types.js';
import type { Json } from './names.js';

/** Signed in with either scheme. */
export const SIGNED_IN: readonly Json[] = [{ bearer: [] }, { cookie: [] }];
/** Anyone; credentials optional (they can change what is visible). */
export const ANYONE: readonly Json[] = [{}, ...SIGNED_IN];

/** One line saying who may perform `operation` under `rule`. */
export function ruleText(operation: RuleOperation, rule: Rule): string {
  let who: string;
  switch (rule) {
    case 'public':
      who = 'anyone, signed in or not';
      break;
    case 'auth':
      who = 'any signed-in user';
      break;
    case 'owner':
      who =
        operation === 'create'
          ? 'any signed-in user; `owner` is set to the caller'
          : operation === 'list'
            ? 'signed-in users, who see the records they own'
            : "the record's owner (its `owner` relation is the caller)";
      break;
    case 'admin':
      who = 'admins only';
      break;
    case 'nobody':
      who = 'no one: this operation is disabled';
      break;
    default:
      who =
        operation === 'list'
          ? `callers see the records for which \`${rule}\` holds`
          : `callers for whom \`${rule}\` holds`;
  }
  return `Access (${operation} rule \`${rule}\`): ${who}.`;
}

/** Security requirements of an operation under `rule`. */
export function securityFor(rule: Rule): Json[] {
  return [...(rule === 'public' ? ANYONE : SIGNED_IN)];
}

/** Statuses a rule can answer with: 401 for anonymous callers, 403 when it does not depend on the record. */
export function ruleStatuses(operation: RuleOperation, rule: Rule): number[] {
  if (rule === 'public') return [];
  if (rule === 'auth') return [401];
  if (rule === 'admin' || rule === 'nobody') return [401, 403];
  // owner and expressions filter lists and hide unviewable records (404); a viewable one they may not change is 403.
  return operation === 'list' || operation === 'view' ? [401] : [401, 403];
}
