// What one user may see of one customer's records, decided by the permission engine and cached
// per customer for the length of one request (a customer's children share its visibility, so a
// page of 5000 records needs a few hundred decisions, not 5000).

import { ENTITY_TYPES, type EntityType } from '../../shared/domain/model';
import { authorize, recordAccess, recordBuckets, type Subject } from '../../shared/permissions/engine';
import { activeSharesOf, recordScopeOf, sharesOf, type ScopeData } from '../org/permission-scope';

export interface CustomerVisibility {
  /** The customer's buckets that are in the user's set (empty = not visible). */
  buckets: string[];
  readable: Record<EntityType, boolean>;
  /**
   * Record-level write access (scope or a read-write share) for a role that writes at all. The
   * client still checks each action against it: customer service may not update a customer but
   * may log a service note on it, and both decisions need this flag to be the record's access,
   * not one particular action's verdict.
   */
  writable: Record<EntityType, boolean>;
}

const WRITE_VERBS = ['create', 'update', 'delete', 'reassign'] as const;

export class VisibilityCache {
  private readonly cache = new Map<string, CustomerVisibility>();
  private readonly bucketSet: ReadonlySet<string>;

  constructor(
    private readonly subject: Subject,
    private readonly data: ScopeData,
    buckets: readonly string[],
    private readonly now: number,
  ) {
    this.bucketSet = new Set(buckets);
  }

  of(customerId: string, ownerId: string): CustomerVisibility {
    const key = `${customerId}\u0000${ownerId}`;
    let v = this.cache.get(key);
    if (!v) {
      const record = recordScopeOf(this.data, customerId, ownerId);
      const buckets = recordBuckets(record, activeSharesOf(this.data, customerId, this.now)).filter((b) => this.bucketSet.has(b));
      const target = { record, shares: sharesOf(this.data, customerId), now: this.now };
      const readable = {} as Record<EntityType, boolean>;
      const writable = {} as Record<EntityType, boolean>;
      const access = recordAccess(this.subject, this.data.tree, record, target.shares, this.now);
      const writesAtAll = this.subject.role.actions.some((a) => WRITE_VERBS.some((v) => a.endsWith(`.${v}`)));
      for (const entity of ENTITY_TYPES) {
        // In the user's bucket set AND allowed to read this kind of record (a role without
        // opportunity.read gets no opportunities even for customers it sees).
        readable[entity] = buckets.length > 0 && authorize(this.subject, `${entity}.read`, this.data.tree, target).allowed;
        writable[entity] = readable[entity] && writesAtAll && access === 'write';
      }
      v = { buckets, readable, writable };
      this.cache.set(key, v);
    }
    return v;
  }
}
