// The minimum app version, on the client: when the server refuses this app's version (426
// app_update_required, from a check-in, a pull or a push) the app locks — its vault stays on
// disk, encrypted, nothing is wiped — and the update-required screen says which version the
// server wants. The refusal is kept in the vault's meta, so a restart of the same old app stays
// locked while offline. It ends when a check-in is accepted (an updated app, or IT lowered the
// minimum); an updated app that already meets the stored minimum opens unlocked and lets its
// first check-in confirm it. Rules in docs/app-versions.md.

import type { UpdateRequired } from '../../../shared/api/desktop-api';
import { isBelowMinimum } from '../../../shared/domain/app-version';
import { updateRequiredDetailsSchema } from '../../../shared/protocol/routes';
import type { VaultStore } from '../contracts';
import type { AppStateMachine } from './app-state';

export class UpdateGate {
  constructor(
    private readonly state: AppStateMachine,
    private readonly appVersion: string,
    private readonly emit: () => void,
  ) {}

  /** At open, before the session's first verdict: a refusal this version got before still holds. */
  restore(vault: VaultStore): void {
    const stored = storedRefusal(vault);
    if (stored && isBelowMinimum(this.appVersion, stored.minimum)) {
      this.state.requireUpdate({ ...stored, current: this.appVersion });
    } else if (stored) {
      vault.setMeta('updateRequired', ''); // updated meanwhile: the next check-in says whether it suffices
    }
  }

  /** The server refused this version: lock and remember it. */
  refused(vault: VaultStore, details: UpdateRequired): void {
    vault.setMeta('updateRequired', JSON.stringify(details));
    this.state.requireUpdate(details);
    this.emit();
  }

  /** A check-in was accepted: the version is allowed again (the lease verdict that follows unlocks). */
  accepted(vault: VaultStore): void {
    if (!this.state.updateRequired && !vault.getMeta('updateRequired')) return;
    vault.setMeta('updateRequired', '');
    this.state.updateAccepted();
  }
}

function storedRefusal(vault: VaultStore): UpdateRequired | null {
  const raw = vault.getMeta('updateRequired');
  if (!raw) return null;
  try {
    const parsed = updateRequiredDetailsSchema.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
