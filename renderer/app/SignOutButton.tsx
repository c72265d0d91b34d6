import { LogoutOutlined } from '@ant-design/icons';
import { Alert, Button, Modal, Space, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useApi, useAppState, useResult, useSetAppState } from './context';

/**
 * Sign out, labelled, with a confirmation that says what it does: the vault leaves this
 * computer. Unsent changes are counted; they are uploaded first (the core refuses to sign out
 * while any remain, so offline nothing is lost) and the user may sync before deciding.
 */
export function SignOutButton() {
  const { t } = useTranslation();
  const api = useApi();
  const state = useAppState();
  const setState = useSetAppState();
  const show = useResult();
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState<'sync' | 'signOut' | null>(null);
  const [stillOffline, setStillOffline] = useState(false);
  const unsent = state.outboxCount;
  const offline = !state.online;

  function close() {
    setOpen(false);
    setStillOffline(false);
  }

  async function syncFirst() {
    setBusy('sync');
    const r = await api.syncNow();
    setBusy(null);
    if (r.ok) {
      setState(r.value);
      setStillOffline(false);
    } else if (r.error.code === 'server_unreachable') {
      // Said in the dialog, in its own words: the changes stay here.
      setStillOffline(true);
    } else {
      show(r);
    }
  }

  async function signOut() {
    setBusy('signOut');
    const next = show(await api.signOut());
    setBusy(null);
    if (next) {
      close();
      setState(next);
    }
  }

  const blocked = unsent > 0 && (offline || stillOffline);
  return (
    <>
      <Button icon={<LogoutOutlined />} onClick={() => setOpen(true)} data-testid="sign-out">
        {t('shell.signOut')}
      </Button>
      <Modal
        open={open}
        title={t('signOut.title')}
        onCancel={close}
        width={460}
        data-testid="sign-out-dialog"
        footer={
          <Space>
            <Button onClick={close}>{t('common.cancel')}</Button>
            {unsent > 0 && (
              <Button onClick={syncFirst} loading={busy === 'sync'} disabled={busy === 'signOut'}>
                {t('signOut.syncFirst')}
              </Button>
            )}
            <Button type="primary" danger onClick={signOut} loading={busy === 'signOut'} disabled={blocked || busy === 'sync'}>
              {t('signOut.confirm')}
            </Button>
          </Space>
        }
      >
        <Typography.Paragraph>{t('signOut.removesVault')}</Typography.Paragraph>
        {unsent > 0 && (
          <Alert
            type={blocked ? 'error' : 'warning'}
            showIcon
            data-testid="sign-out-unsent"
            title={t(unsent === 1 ? 'signOut.unsentOne' : 'signOut.unsent', { count: unsent })}
            description={blocked ? t('signOut.offline') : t('signOut.uploadedFirst')}
          />
        )}
      </Modal>
    </>
  );
}
