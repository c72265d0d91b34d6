import { DownloadOutlined } from '@ant-design/icons';
import { App, Button, Dropdown, Progress, Space } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Result } from '../../shared/api/desktop-api';
import { offerDownload } from '../lib/download';
import { useAppState, useResult } from './context';

export type ExportFormat = 'csv' | 'json';
type ExportFile = { filename: string; mime: string; content: string; count: number };

/**
 * The one export control (customers, audit trail, access reviews): a CSV/JSON menu that runs
 * the export, shows the core's progress while it runs, then offers the file as a download.
 */
export function ExportMenu({
  run,
  size = 'middle',
}: {
  run: (format: ExportFormat) => Promise<Result<ExportFile>>;
  size?: 'small' | 'middle';
}) {
  const { t } = useTranslation();
  const state = useAppState();
  const show = useResult();
  const { message } = App.useApp();
  const [busy, setBusy] = useState(false);

  async function exportAs(format: ExportFormat) {
    setBusy(true);
    const file = show(await run(format));
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
          onClick: ({ key }) => void exportAs(key as ExportFormat),
        }}
      >
        <Button size={size} icon={<DownloadOutlined />} loading={busy}>
          {busy ? t('common.exporting') : t('common.export')}
        </Button>
      </Dropdown>
    </Space>
  );
}
