import { Badge, Space } from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useApi, useAppState } from '../../app/context';
import { useNow } from '../../lib/use-now';
import { screenDay } from '../../lib/screen-day';

/**
 * The home menu item with a badge: the user's due reminders plus overdue follow-ups, so they are
 * seen from every page (the home page's banner names them). Read from the vault, offline too.
 */
export function HomeNavLabel() {
  const { t } = useTranslation();
  const api = useApi();
  const state = useAppState();
  const now = useNow(60_000);
  const [count, setCount] = useState(0);

  useEffect(() => {
    let live = true;
    const day = screenDay();
    void api.homeOverview({ scope: 'mine', day }).then((r) => {
      // A failure here is shown by the home page itself; the badge just stays as it was.
      // Overdue ones, plus due reminders of those not overdue (each follow-up counted once).
      if (live && r.ok) setCount(r.value.overdueTotal + r.value.reminders.filter((f) => f.dueAt >= day.start).length);
    });
    return () => {
      live = false;
    };
  }, [api, state.dataVersion, now]);

  return (
    <Space size={6}>
      <span>{t('nav.home')}</span>
      {count > 0 && <Badge count={count} size="small" data-testid="home-badge" title={t('home.badge', { count })} />}
    </Space>
  );
}
