import type { Page } from '@playwright/test';
import type { Locale } from '../../shared/api/desktop-api';
import { AdminDevices } from './AdminDevices';
import { AdminUsers } from './AdminUsers';
import { ApprovalsPage } from './Approvals';
import { AlertsPage } from './Alerts';
import { AppShell } from './AppShell';
import { AuditPage } from './AuditPage';
import { CustomerDetail } from './CustomerDetail';
import { CustomerList } from './CustomerList';
import { Dashboard } from './Dashboard';
import { OpportunityListPage } from './Opportunities';
import { PipelineBoard } from './Pipeline';
import { HomePage } from './Home';
import { ReviewsPage } from './Reviews';
import { Screens } from './Screens';
import { SignInPage } from './SignInPage';
import { Ui } from './ui';

/**
 * The SalesVault window as a user sees it: one entry to every page object, over any Playwright
 * Page (a browser tab on the harness, or an Electron window).
 */
export class App {
  readonly ui: Ui;
  readonly signIn: SignInPage;
  readonly shell: AppShell;
  readonly customers: CustomerList;
  readonly detail: CustomerDetail;
  readonly dashboard: Dashboard;
  readonly pipeline: PipelineBoard;
  readonly opportunities: OpportunityListPage;
  readonly home: HomePage;
  readonly devices: AdminDevices;
  readonly users: AdminUsers;
  readonly audit: AuditPage;
  readonly alerts: AlertsPage;
  readonly reviews: ReviewsPage;
  readonly approvals: ApprovalsPage;
  readonly screens: Screens;

  constructor(
    readonly page: Page,
    locale: Locale = 'zh-CN',
  ) {
    this.ui = new Ui(page, locale);
    this.signIn = new SignInPage(this.ui);
    this.shell = new AppShell(this.ui);
    this.customers = new CustomerList(this.ui);
    this.detail = new CustomerDetail(this.ui);
    this.dashboard = new Dashboard(this.ui);
    this.pipeline = new PipelineBoard(this.ui);
    this.opportunities = new OpportunityListPage(this.ui);
    this.home = new HomePage(this.ui);
    this.devices = new AdminDevices(this.ui);
    this.users = new AdminUsers(this.ui);
    this.audit = new AuditPage(this.ui);
    this.alerts = new AlertsPage(this.ui);
    this.reviews = new ReviewsPage(this.ui);
    this.approvals = new ApprovalsPage(this.ui);
    this.screens = new Screens(this.ui);
  }

  get m() {
    return this.ui.m;
  }
}
