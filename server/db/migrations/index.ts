// The numbered migrations, in order. A static provider: the list is compiled in, never read from
// disk, so the server binary and the tests migrate identically.

import type { Migration, MigrationProvider } from 'kysely';
import type { Dialect } from '../../context';
import { initialMigration } from './0001_initial';
import { defaultRolesMigration } from './0002_default_roles';
import { alertsReviewsMigration } from './0003_alerts_reviews';
import { syncPerformanceMigration } from './0004_sync_performance';
import { separationOfDutiesMigration } from './0005_separation_of_duties';
import { auditCheckpointsAndDevicesMigration } from './0006_audit_checkpoints_and_devices';
import { syncHardeningMigration } from './0007_sync_hardening';
import { identityProvidersMigration } from './0008_identity_providers';
import { enrollmentLifecycleMigration } from './0009_enrollment_lifecycle';
import { deviceLifecycleMigration } from './0012_device_lifecycle_and_ledger';
import { deviceExposureLedgerMigration } from './0013_device_exposure_ledger';
import { minAppVersionAndReviewDeadlinesMigration } from './0015_min_app_version_and_review_deadlines';
import { followUpsMigration } from './0016_follow_ups';
import { recycleBinMigration } from './0017_recycle_bin';

export function migrationProvider(dialect: Dialect): MigrationProvider {
  return {
    async getMigrations(): Promise<Record<string, Migration>> {
      return {
        '0001_initial': initialMigration(dialect),
        '0002_default_roles': defaultRolesMigration,
        '0003_alerts_reviews': alertsReviewsMigration(dialect),
        '0004_sync_performance': syncPerformanceMigration(dialect),
        '0005_separation_of_duties': separationOfDutiesMigration(dialect),
        '0006_audit_checkpoints_and_devices': auditCheckpointsAndDevicesMigration(dialect),
        '0007_sync_hardening': syncHardeningMigration(dialect),
        '0008_identity_providers': identityProvidersMigration(dialect),
        '0009_enrollment_lifecycle': enrollmentLifecycleMigration(dialect),
        '0012_device_lifecycle_and_ledger': deviceLifecycleMigration(dialect),
        '0013_device_exposure_ledger': deviceExposureLedgerMigration(dialect),
        '0015_min_app_version_and_review_deadlines': minAppVersionAndReviewDeadlinesMigration(dialect),
        '0016_follow_ups': followUpsMigration(dialect),
        '0017_recycle_bin': recycleBinMigration(dialect),
      };
    },
  };
}
