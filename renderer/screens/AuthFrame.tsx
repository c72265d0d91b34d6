import { Card, Space, Typography } from 'antd';
import { SafetyCertificateFilled } from '@ant-design/icons';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { LanguageSwitch } from '../app/LanguageSwitch';

/** The frame of the screens shown without the app shell (sign-in, first sync, locked, revoked). */
export function AuthFrame({ children, width = 420 }: { children: ReactNode; width?: number }) {
  const { t } = useTranslation();
  return (
    <main className="sv-auth-bg">
      <Space orientation="vertical" size={16} style={{ width, maxWidth: '100%' }}>
        <div style={{ display: 'flex', alignItems: 'center', justifyContent: 'space-between' }}>
          <div className="sv-brand" style={{ fontSize: 18 }}>
            <span className="sv-brand-mark" aria-hidden>
              <SafetyCertificateFilled />
            </span>
            {t('app.name')}
          </div>
          <LanguageSwitch />
        </div>
        <Card variant="borderless" styles={{ body: { padding: 24 } }}>
          {children}
        </Card>
        <Typography.Text style={{ color: 'rgba(255,255,255,0.75)', fontSize: 12 }}>{t('app.tagline')}</Typography.Text>
      </Space>
    </main>
  );
}
