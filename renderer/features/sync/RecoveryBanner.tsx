import { Alert, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { useApi, useAppState, useSetAppState } from '../../app/context';

/**
 * Says what happened after the vault was rolled back behind its high-water mark or rebuilt after
 * damage: how many unsent edits were kept (they are sent with the next sync) and exactly which
 * edits were lost and must be entered again. Shown after every restart until dismissed.
 */
export function RecoveryBanner() {
  const { t } = useTranslation();
  const api = useApi();
  const setState = useSetAppState();
  const { recovery } = useAppState();
  if (!recovery) return null;
  const lost = recovery.lostEdits;
  return (
    <Alert
      banner
      closable
      type={lost.length > 0 ? 'error' : 'warning'}
      role="alert"
      data-testid="vault-recovery"
      onClose={() => {
        void api.dismissRecovery().then((r) => {
          if (r.ok) setState(r.value);
        });
      }}
      title={t(`recovery.${recovery.kind}`)}
      description={
        <>
          {recovery.keptEdits > 0 && <div>{t('recovery.kept', { count: recovery.keptEdits })}</div>}
          {lost.length === 0 ? (
            <div>{t('recovery.none_lost')}</div>
          ) : (
            <>
              <div>{t('recovery.lost', { count: lost.length })}</div>
              <ul style={{ margin: '4px 0 0', paddingInlineStart: 20 }}>
                {lost.map((edit) => (
                  <li key={edit.mutationId}>
                    <Typography.Text>{edit.label}</Typography.Text>
                  </li>
                ))}
              </ul>
            </>
          )}
        </>
      }
    />
  );
}
