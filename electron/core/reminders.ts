// Follow-up reminders as desktop notifications (docs/follow-ups.md). The core decides when a
// reminder is due (the vault's reminder moments, once per follow-up and moment); the platform
// shows it through a ReminderNotifier — Electron's Notification in electron/main, a fake in tests,
// none in the browser harness (there the home page's banner is the only reminder).
//
// A notification carries no customer data: the operating system may keep notifications in its
// own unencrypted history, outside the vault. It says how many reminders are due; the app's home
// page, inside the vault, says which.

import type { Locale } from '../../shared/api/desktop-api';
import type { Unlocked } from './session/options';

export interface ReminderNotice {
  title: string;
  body: string;
  /** how many reminders this notice is about */
  count: number;
}

/** Shows a notice on the desktop (the platform's notification). */
export interface ReminderNotifier {
  show(notice: ReminderNotice): void;
}

const TEXT: Record<Locale, { title: string; body: (n: number) => string }> = {
  'zh-CN': { title: 'SalesVault 跟进提醒', body: (n) => `${n} 条跟进已到提醒时间。打开 SalesVault 的首页查看。` },
  en: { title: 'SalesVault follow-up reminder', body: (n) => `${n} follow-up${n === 1 ? ' is' : 's are'} due for a reminder. Open the SalesVault home page to see ${n === 1 ? 'it' : 'them'}.` },
};

export const REMINDER_INTERVAL_MS = 30_000;

/** Checks for due reminders on a timer while a vault is open and unlocked. */
export class ReminderWatcher {
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly source: { unlocked(): Unlocked | null; locale(): Locale },
    private readonly notifier: ReminderNotifier,
    private readonly intervalMs = REMINDER_INTERVAL_MS,
  ) {}

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      try {
        this.tick();
      } catch {
        // A closed or locked vault between two checks: the next tick tries again.
      }
    }, this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Notify the due reminders not notified yet (one notice for all of them); returns how many. */
  tick(): number {
    const u = this.source.unlocked();
    if (!u) return 0;
    const due = u.vault.unnotifiedReminders(u.grant.sub, u.now);
    if (due.length === 0) return 0;
    const text = TEXT[this.source.locale()] ?? TEXT.en;
    // Marked first: a notifier that throws must not make the same reminder pop up every tick.
    for (const f of due) u.vault.markReminderNotified(f.record.id, u.now);
    this.notifier.show({ title: text.title, body: text.body(due.length), count: due.length });
    return due.length;
  }
}
