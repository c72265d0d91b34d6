import { DownloadOutlined } from '@ant-design/icons';
import { App, Button, Dropdown, Progress, Space } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useApi, useAppState, useResult } from '../../app/context';
import { offerDownload } from '../../lib/download';

/** Exports the customers in scope as CSV or JSON, shows progress, then offers the file. */
export function ExportCustomersButton({ size = 'middle' }: { size?: 'small' | 'middle' }) {
  const { t } = useTranslation();
  const api = useApi();
  const state = useAppState();
  const show = useResult();
  const { message } = App.useApp();
  const [busy, setBusy] = useState(false);

  async function run(format: 'csv' | 'json') {
    setBusy(true);
    const file = show(await api.exportCustomers({ format }));
    setBusy(false);
    if (!file) return;
    offerDownload(file);
    void message.success(t('common.exportDone', { count: file.count, filename: file.filename }));
  }

  const progress = state.progress?.task === 'export' ? state.progress : null;
  return (
    <Space size={6}>
      {busy && progress && progress.total ? (
        <Progress
          percent={Math.floor((progress.done / progress.total) * 100)}
          size="small"
          style={{ width: 80, margin: 0 }}
          aria-label={t('common.exporting')}
        />
      ) : null}
      <Dropdown
        disabled={busy}
        menu={{
          items: [
            { key: 'csv', label: t('common.exportCsv') },
            { key: 'json', label: t('common.exportJson') },
          ],
          onClick: ({ key }) => void run(key as 'csv' | 'json'),
        }}
      >
        <Button size={size} icon={<DownloadOutlined />} loading={busy}>
          {busy ? t('common.exporting') : t('common.export')}
        </Button>
      </Dropdown>
    </Space>
  );
}
