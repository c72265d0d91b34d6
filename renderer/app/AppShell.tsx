import {
  ApartmentOutlined,
  AlertOutlined,
  AuditOutlined,
  FileProtectOutlined,
  FundOutlined,
  ProjectOutlined,
  CheckSquareOutlined,
  DashboardOutlined,
  DeleteOutlined,
  HomeOutlined,
  LaptopOutlined,
  LoginOutlined,
  LogoutOutlined,
  SafetyCertificateFilled,
  SafetyOutlined,
  TeamOutlined,
  UserOutlined,
} from '@ant-design/icons';
import { Alert, Button, Layout, Menu, Space, Tag, Tooltip, Typography } from 'antd';
import { useCallback, useMemo, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { CustomersView } from '../features/customers/CustomersView';
import { HomeView } from '../features/home/HomeView';
import { HomeNavLabel } from '../features/home/HomeNavLabel';
import { TeamDashboardView } from '../features/dashboard/TeamDashboardView';
import { RecycleBinView } from '../features/customers/RecycleBinView';
import { OpportunitiesView } from '../features/opportunities/OpportunitiesView';
import { PipelineBoardView } from '../features/opportunities/PipelineBoardView';
import { UsersView } from '../features/admin/UsersView';
import { RolesView } from '../features/admin/RolesView';
import { OrgTreeView } from '../features/admin/OrgTreeView';
import { DevicesView } from '../features/admin/DevicesView';
import { ApprovalsView } from '../features/admin/ApprovalsView';
import { IdentityProvidersView } from '../features/admin/IdentityProvidersView';
import { AuditView } from '../features/audit/AuditView';
import { IncidentNavContext, type IncidentNav, type IncidentSubject } from '../features/audit/incident-nav';
import { AlertsView } from '../features/alerts/AlertsView';
import { ReviewsView } from '../features/reviews/ReviewsView';
import { IssuesButton } from '../features/sync/IssuesButton';
import { OutboxButton } from '../features/sync/OutboxButton';
import { RecoveryBanner } from '../features/sync/RecoveryBanner';
import { SyncStatus } from '../features/sync/SyncStatus';
import { availableViews, type ViewKey } from '../lib/capabilities';
import { formatDateTime, leaseEndsSoon, splitDuration } from '../lib/format';
import { useNow } from '../lib/use-now';
import { roleLabel } from '../lib/role-label';
import { useApi, useAppState, useLocale, useResult, useSetAppState } from './context';
import { LanguageSwitch } from './LanguageSwitch';
import { NavigationContext, useNavigate, type Drill, type NavTarget } from './navigation';

const VIEW_ICONS: Record<ViewKey, ReactNode> = {
  home: <HomeOutlined />,
  customers: <TeamOutlined />,
  opportunities: <FundOutlined />,
  pipeline: <ProjectOutlined />,
  dashboard: <DashboardOutlined />,
  recycleBin: <DeleteOutlined />,
  users: <UserOutlined />,
  roles: <SafetyOutlined />,
  org: <ApartmentOutlined />,
  approvals: <CheckSquareOutlined />,
  identity: <LoginOutlined />,
  devices: <LaptopOutlined />,
  audit: <AuditOutlined />,
  alerts: <AlertOutlined />,
  reviews: <FileProtectOutlined />,
};

function ViewContent({ view }: { view: ViewKey }) {
  const navigate = useNavigate();
  switch (view) {
    case 'home':
      return <HomeView onOpenCustomer={(id) => navigate({ view: 'customers', drill: { customerId: id } })} />;
    case 'customers':
      return <CustomersView />;
    case 'opportunities':
      return <OpportunitiesView />;
    case 'pipeline':
      return <PipelineBoardView />;
    case 'dashboard':
      return <TeamDashboardView />;
    case 'recycleBin':
      return <RecycleBinView />;
    case 'users':
      return <UsersView />;
    case 'roles':
      return <RolesView />;
    case 'org':
      return <OrgTreeView />;
    case 'approvals':
      return <ApprovalsView />;
    case 'identity':
      return <IdentityProvidersView />;
    case 'devices':
      return <DevicesView />;
    case 'audit':
      return <AuditView />;
    case 'alerts':
      return <AlertsView />;
    case 'reviews':
      return <ReviewsView />;
  }
}

function LeaseBanner() {
  const { t } = useTranslation();
  const state = useAppState();
  const locale = useLocale();
  const now = useNow(30_000);
  if (!leaseEndsSoon(state.leaseUntil, now) || state.leaseUntil === null) return null;
  const { hours, minutes } = splitDuration(state.leaseUntil - now);
  const remaining = hours > 0 ? t('format.hoursMinutes', { hours, minutes }) : t('format.minutes', { count: minutes });
  return (
    <Alert
      banner
      type="warning"
      role="status"
      data-testid="lease-countdown"
      title={t('shell.leaseCountdown', { remaining, time: formatDateTime(state.leaseUntil, locale) })}
    />
  );
}

export function AppShell() {
  const { t } = useTranslation();
  const api = useApi();
  const state = useAppState();
  const setState = useSetAppState();
  const show = useResult();
  const views = availableViews(state.user);
  const [chosen, setChosen] = useState<ViewKey | null>(null);
  // The incident view of a person or device (opened from the audit, users or devices page) lives
  // on the audit page; the shell keeps which one, so other pages can open it.
  const [incident, setIncident] = useState<IncidentSubject | null>(null);
  const incidentNav: IncidentNav | null = views.includes('audit')
    ? {
        current: incident,
        open: (subject) => {
          setIncident(subject);
          setChosen('audit');
        },
        close: () => setIncident(null),
      }
    : null;
  const [drill, setDrill] = useState<Drill | null>(null);
  const navigate = useCallback((target: NavTarget) => {
    setDrill((prev) => ({ ...target, seq: (prev?.seq ?? 0) + 1 }));
    setChosen(target.view);
  }, []);
  const navigation = useMemo(() => ({ navigate, drill }), [navigate, drill]);
  const [narrow, setNarrow] = useState(false);
  const view = chosen && views.includes(chosen) ? chosen : views[0];
  const user = state.user;

  async function signOut() {
    const next = show(await api.signOut());
    if (next) setState(next);
  }

  return (
    <Layout style={{ height: '100%' }}>
      <Layout.Sider width={196} breakpoint="lg" collapsedWidth={56} collapsed={narrow} onBreakpoint={setNarrow} trigger={null}>
        <div className="sv-brand" style={{ height: 48, padding: '0 16px' }}>
          <span className="sv-brand-mark" aria-hidden>
            <SafetyCertificateFilled />
          </span>
          {!narrow && <span>SalesVault</span>}
        </div>
        <nav aria-label={t('shell.mainNav')}>
          <Menu
            theme="dark"
            aria-label={t('shell.mainNav')}
            mode="inline"
            style={{ background: 'transparent' }}
            selectedKeys={view ? [view] : []}
            onClick={({ key }) => {
              setIncident(null);
              // The menu opens a screen as it is, without the last drill-down.
              setDrill(null);
              setChosen(key as ViewKey);
            }}
            items={views.map((v) => ({ key: v, icon: VIEW_ICONS[v], label: v === 'home' && !narrow ? <HomeNavLabel /> : t(`nav.${v}`) }))}
          />
        </nav>
      </Layout.Sider>
      <Layout>
        <Layout.Header style={{ display: 'flex', alignItems: 'center', gap: 12, borderBottom: '1px solid #e5e7eb' }}>
          <Typography.Text strong style={{ fontSize: 15 }}>
            {view ? t(`nav.${view}`) : ''}
          </Typography.Text>
          <div style={{ flex: 1 }} />
          <SyncStatus />
          <OutboxButton />
          <IssuesButton />
          <LanguageSwitch />
          {user && (
            <Space size={6} data-testid="current-user">
              <UserOutlined aria-hidden />
              <Typography.Text>{user.displayName}</Typography.Text>
              <Tag color="blue" style={{ marginInlineEnd: 0 }} title={`${t('shell.role')}: ${roleLabel(t, { key: user.roleKey, name: user.roleName })}`}>
                {roleLabel(t, { key: user.roleKey, name: user.roleName })}
              </Tag>
            </Space>
          )}
          <Tooltip title={t('shell.signOut')}>
            <Button type="text" icon={<LogoutOutlined />} aria-label={t('shell.signOut')} onClick={signOut} />
          </Tooltip>
        </Layout.Header>
        {!state.online && <Alert banner type="error" role="status" data-testid="offline-banner" title={t('shell.offline')} />}
        <LeaseBanner />
        <RecoveryBanner />
        <Layout.Content style={{ overflow: 'auto', minHeight: 0 }}>
          <NavigationContext.Provider value={navigation}>
            <IncidentNavContext.Provider value={incidentNav}>{view && <ViewContent view={view} />}</IncidentNavContext.Provider>
          </NavigationContext.Provider>
        </Layout.Content>
      </Layout>
    </Layout>
  );
}
