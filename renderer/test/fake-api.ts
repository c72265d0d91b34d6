// An in-memory DesktopApi for renderer unit tests and for looking at the UI in a browser
// without a server or vault (renderer/test/screenshots.mjs). It is NOT used by the app.
// Authorization and projection go through the real permission engine, so what a role sees
// here matches what the core would give it.

import type {
  ApiErrorCode,
  AppState,
  CustomerDetail,
  CustomerListItem,
  DesktopApi,
  DesktopInput,
  DesktopMethod,
  DesktopOutputs,
  FieldAccess,
  OutboxItem,
  Result,
  SessionUser,
  SyncIssue,
  TeamDashboard,
} from '../../shared/api/desktop-api';
import { DESKTOP_METHODS, desktopInputs } from '../../shared/api/desktop-api';
import type {
  Activity,
  Contact,
  Customer,
  EntityType,
  OpportunityStage,
  Opportunity,
  OrgUnit,
  Role,
  RoleKey,
  User,
} from '../../shared/domain/model';
import { ACTIVITY_KINDS, DEFAULT_CLASSIFICATION, OPPORTUNITY_STAGES } from '../../shared/domain/model';
import { DEFAULT_ROLES } from '../../shared/permissions/default-roles';
import {
  authorize,
  buildOrgTree,
  projectRecord,
  readableFields,
  recordAccess,
  writableFields,
  type OrgTree,
  type RecordScope,
  type Subject,
} from '../../shared/permissions/engine';
import type { AuditEntryView, DeviceView, RoleView, UserView } from '../../shared/protocol/routes';
import { fakeAlertAndReviewHandlers } from './fake-reviews';
import { fakeSsoHandlers } from './fake-sso';
import { prng } from '../../shared/prng';

export interface FakeApiOptions {
  /** Clock (epoch ms). Default: a fixed time, so data is reproducible. */
  now?: () => number;
  /** Number of demo customers. */
  customers?: number;
  /** Start signed in as this user (username), phase 'ready'. */
  signedInAs?: string;
  /** Milliseconds between first-sync progress steps (0 = finish synchronously on verify). */
  firstSyncStepMs?: number;
  initial?: Partial<AppState>;
}

export interface FakeDesktopApi extends DesktopApi {
  /** Every call, in order (for assertions). */
  readonly calls: { method: DesktopMethod; input: unknown }[];
  /** Changes the state (e.g. goes offline, locks) and notifies listeners. */
  patchState(patch: Partial<AppState>): void;
  currentState(): AppState;
  /** Adds a conflict/rejection as a sync would. */
  addIssue(issue: SyncIssue): void;
}

export const FAKE_PASSWORD = 'demo-password';
export const FAKE_BAD_MFA_CODE = '000000';
export const FAKE_NOW = Date.UTC(2026, 10, 20, 2, 0, 0);

// ---- demo organisation ---------------------------------------------------------------------

const UNITS: OrgUnit[] = [
  { id: 'u-hq', parentId: null, name: '华东贸易集团', kind: 'company' },
  { id: 'u-east', parentId: 'u-hq', name: '华东大区', kind: 'region' },
  { id: 'u-sh', parentId: 'u-east', name: '上海分公司', kind: 'branch' },
  { id: 'u-sh-1', parentId: 'u-sh', name: '上海销售一组', kind: 'team' },
  { id: 'u-sh-2', parentId: 'u-sh', name: '上海销售二组', kind: 'team' },
  { id: 'u-hz', parentId: 'u-east', name: '杭州分公司', kind: 'branch' },
  { id: 'u-hz-1', parentId: 'u-hz', name: '杭州销售一组', kind: 'team' },
  { id: 'u-it', parentId: 'u-hq', name: '信息技术部', kind: 'branch' },
];

interface FakeUser extends User {
  mfaEnrolled: boolean;
  lastSignInAt: number | null;
}

const roleId = (key: RoleKey) => DEFAULT_ROLES.find((r) => r.key === key)!.id;

function demoUsers(now: number): FakeUser[] {
  const u = (id: string, username: string, displayName: string, unitId: string, key: RoleKey, managed: string[] = []): FakeUser => ({
    id,
    username,
    displayName,
    unitId,
    roleId: roleId(key),
    managedUnitIds: managed,
    status: 'active',
    mfaEnrolled: true,
    lastSignInAt: now - 3600_000 * (id.length % 7),
  });
  return [
    u('usr-wang', 'wang.wei', '王伟', 'u-sh-1', 'rep'),
    u('usr-li', 'li.na', '李娜', 'u-sh-1', 'rep'),
    u('usr-zhang', 'zhang.qiang', '张强', 'u-sh-2', 'rep'),
    u('usr-huang', 'huang.lei', '黄磊', 'u-hz-1', 'rep'),
    u('usr-chen', 'chen.jing', '陈静', 'u-sh', 'manager', ['u-sh-1', 'u-sh-2']),
    u('usr-liu', 'liu.yang', '刘洋', 'u-east', 'director'),
    u('usr-zhao', 'zhao.min', '赵敏', 'u-sh', 'service'),
    u('usr-sun', 'sun.lei', '孙磊', 'u-it', 'it_admin'),
    u('usr-zhou', 'zhou.ting', '周婷', 'u-hq', 'auditor'),
    { ...u('usr-new', 'xu.new', '徐新', 'u-sh-2', 'rep'), mfaEnrolled: false, lastSignInAt: null },
  ];
}

const CITIES = ['上海', '杭州', '苏州', '南京', '宁波', '无锡', '合肥', '嘉兴'];
const INDUSTRIES = ['制造业', '零售', '医疗器械', '物流', '软件', '教育', '新能源', '食品饮料'];
const TAGS = ['重点客户', '新客户', '续约', '招投标', '渠道', '华东', '年框'];
const NAME_HEADS = ['华', '中', '东', '申', '浙', '苏', '金', '海', '瑞', '恒', '博', '宏', '新', '远', '嘉', '明'];
const NAME_MIDS = ['通', '达', '信', '泰', '盛', '源', '科', '鼎', '安', '丰', '晟', '汇'];
const NAME_TAILS = ['精密机械有限公司', '医疗科技有限公司', '物流股份有限公司', '食品有限公司', '软件技术有限公司', '新能源科技有限公司', '商贸有限公司', '教育咨询有限公司'];
const PEOPLE = ['王芳', '李强', '张敏', '刘洋', '陈杰', '杨静', '赵磊', '黄丽', '周涛', '吴婷', '徐明', '孙悦', '马超', '朱琳', '胡军'];
const TITLES = ['采购经理', '总经理', '财务总监', '技术负责人', '行政主管', '采购专员'];
const OPP_TITLES = ['年度采购框架', '设备升级项目', '二期扩容', '服务续约', '试点合作', '新产线配套'];
const NOTES = ['拜访采购部，确认下季度需求，约定下周报价。', '电话沟通交付周期，客户希望提前两周。', '客户反馈发票抬头需更新。', '演示新版本功能，客户对报表模块感兴趣。'];

interface Db {
  customers: Customer[];
  contacts: Contact[];
  opportunities: Opportunity[];
  activities: Activity[];
}

function demoData(count: number, now: number, owners: FakeUser[]): Db {
  const rnd = prng(20261120);
  const pick = <T,>(list: readonly T[]): T => list[Math.floor(rnd() * list.length)]!;
  const db: Db = { customers: [], contacts: [], opportunities: [], activities: [] };
  const day = 86_400_000;
  for (let i = 0; i < count; i++) {
    const owner = owners[i % owners.length]!;
    const id = `cus-${String(i + 1).padStart(4, '0')}`;
    const city = pick(CITIES);
    const company = rnd() > 0.1;
    const name = company ? `${city}${pick(NAME_HEADS)}${pick(NAME_MIDS)}${pick(NAME_TAILS)}` : pick(PEOPLE);
    db.customers.push({
      id,
      updatedAt: now - Math.floor(rnd() * 60) * day,
      version: 1,
      name,
      type: company ? 'company' : 'person',
      industry: pick(INDUSTRIES),
      city,
      address: `${city}市${pick(['浦东新区', '西湖区', '工业园区', '鼓楼区', '高新区'])}${Math.floor(rnd() * 900 + 100)}号`,
      ownerId: owner.id,
      tags: [...new Set([pick(TAGS), ...(rnd() > 0.5 ? [pick(TAGS)] : [])])],
      creditLimit: Math.round(rnd() * 200) * 10_000,
      paymentTerms: pick(['月结30天', '月结60天', '预付款', '货到付款']),
      taxId: `91310${Math.floor(rnd() * 1e13).toString().padStart(13, '0')}`,
      notes: rnd() > 0.5 ? '重要客户，年度采购额稳定。' : '',
    });
    const contacts = 1 + Math.floor(rnd() * 3);
    for (let c = 0; c < contacts; c++) {
      db.contacts.push({
        id: `con-${i + 1}-${c + 1}`,
        updatedAt: now - day,
        version: 1,
        customerId: id,
        name: pick(PEOPLE),
        title: pick(TITLES),
        phone: `13${Math.floor(rnd() * 1e9).toString().padStart(9, '0')}`,
        email: `contact${i + 1}.${c + 1}@example.cn`,
        wechat: rnd() > 0.4 ? `wx_${i + 1}_${c + 1}` : null,
      });
    }
    const opps = Math.floor(rnd() * 3);
    for (let o = 0; o < opps; o++) {
      const close = new Date(now + Math.floor((rnd() - 0.4) * 120) * day);
      db.opportunities.push({
        id: `opp-${i + 1}-${o + 1}`,
        updatedAt: now - day,
        version: 1,
        customerId: id,
        title: pick(OPP_TITLES),
        stage: pick(OPPORTUNITY_STAGES),
        amount: Math.round(rnd() * 500) * 1000,
        expectedCloseDate: close.toISOString().slice(0, 10),
        probability: Math.round(rnd() * 10) * 10,
        ownerId: owner.id,
      });
    }
    const acts = Math.floor(rnd() * 5);
    for (let a = 0; a < acts; a++) {
      db.activities.push({
        id: `act-${i + 1}-${a + 1}`,
        updatedAt: now,
        version: 1,
        customerId: id,
        kind: pick(ACTIVITY_KINDS),
        at: now - Math.floor(rnd() * 70) * day - Math.floor(rnd() * day),
        authorId: owner.id,
        text: pick(NOTES),
      });
    }
  }
  return db;
}

// ---- the fake --------------------------------------------------------------------------------

const ok = <T,>(value: T): Result<T> => ({ ok: true, value });
const fail = (code: ApiErrorCode, message: string): Result<never> => ({ ok: false, error: { code, message } });

export function createFakeApi(options: FakeApiOptions = {}): FakeDesktopApi {
  const now = options.now ?? (() => FAKE_NOW);
  const users = demoUsers(now());
  const roles: Role[] = DEFAULT_ROLES.map((r) => structuredClone(r));
  const units = UNITS.map((u) => ({ ...u }));
  const owners = users.filter((u) => u.roleId === roleId('rep') || u.roleId === roleId('manager'));
  const db = demoData(options.customers ?? 240, now(), owners);
  const outbox: (OutboxItem & { customerId: string })[] = [];
  const issues: SyncIssue[] = [];
  const devices: DeviceView[] = users
    .filter((u) => u.lastSignInAt !== null)
    .map((u, i) => ({
      id: `dev-${u.id}`,
      userId: u.id,
      name: `${u.displayName}的笔记本`,
      platform: i % 3 === 0 ? 'darwin' : 'win32',
      appVersion: '0.1.0',
      status: 'active' as const,
      enrolledAt: now() - 30 * 86_400_000,
      lastCheckInAt: now() - i * 3600_000,
      revokedAt: null,
      wipeConfirmedAt: null,
    }));
  const audit: AuditEntryView[] = Array.from({ length: 60 }, (_, i) => ({
    seq: i + 1,
    at: now() - (60 - i) * 600_000,
    actorId: users[i % users.length]!.id,
    deviceId: `dev-${users[i % users.length]!.id}`,
    action: ['auth.sign_in', 'sync.pull', 'record.update', 'device.enroll', 'sync.push'][i % 5]!,
    target: i % 5 === 2 ? `customer:cus-${String((i % 40) + 1).padStart(4, '0')}` : null,
    outcome: i % 13 === 0 ? ('denied' as const) : ('ok' as const),
    details: i % 5 === 1 ? { records: 120 + i } : {},
    hash: (i * 2654435761).toString(16).padStart(8, '0').repeat(8),
  }));
  const listeners = new Set<(s: AppState) => void>();
  const calls: { method: DesktopMethod; input: unknown }[] = [];
  let pendingSignIn: FakeUser | null = null;
  let seq = 1000;
  const newId = (prefix: string) => `${prefix}-new-${++seq}`;

  const signedIn = options.signedInAs ? users.find((u) => u.username === options.signedInAs) ?? null : null;
  let current: FakeUser | null = signedIn;
  let state: AppState = {
    phase: signedIn ? 'ready' : 'signed-out',
    serverUrl: 'http://127.0.0.1:8787',
    user: signedIn ? sessionUser(signedIn) : null,
    online: true,
    lastSyncAt: signedIn ? now() - 4 * 60_000 : null,
    outboxCount: 0,
    issueCount: 0,
    leaseUntil: signedIn ? now() + 72 * 3600_000 : null,
    wipeAfter: signedIn ? now() + 14 * 86_400_000 : null,
    progress: null,
    reason: null,
    locale: 'zh-CN',
    sync: { status: 'idle', lastError: null },
    ...options.initial,
  };

  function roleOf(user: FakeUser): Role {
    return roles.find((r) => r.id === user.roleId)!;
  }
  function sessionUser(user: FakeUser): SessionUser {
    const role = roleOf(user);
    return {
      id: user.id,
      username: user.username,
      displayName: user.displayName,
      roleKey: role.key,
      roleName: role.name,
      actions: [...role.actions],
      dataScope: role.dataScope,
      readClearance: role.readClearance,
      writeClearance: role.writeClearance,
      exportAllowed: role.offline.exportAllowed,
    };
  }
  function emit(patch: Partial<AppState>) {
    state = { ...state, ...patch };
    for (const l of [...listeners]) l(state);
  }
  const tree: OrgTree = buildOrgTree(units);
  const subject = (): Subject | null => (current ? { user: current, role: roleOf(current) } : null);
  const scopeOf = (c: Customer): RecordScope => ({
    customerId: c.id,
    ownerId: c.ownerId,
    ownerUnitId: users.find((u) => u.id === c.ownerId)?.unitId ?? '',
  });
  const access = (c: Customer) => {
    const s = subject();
    return s ? recordAccess(s, tree, scopeOf(c), [], now()) : 'none';
  };
  const allowed = (action: Parameters<typeof authorize>[1], c?: Customer) => {
    const s = subject();
    if (!s) return false;
    return authorize(s, action, tree, c ? { record: scopeOf(c), shares: [], now: now() } : undefined).allowed;
  };
  const visibleCustomers = () => db.customers.filter((c) => access(c) !== 'none');
  const project = <T extends object,>(entity: EntityType, record: T) =>
    projectRecord(entity, record as Record<string, unknown>, roleOf(current!).readClearance, DEFAULT_CLASSIFICATION) as Partial<T> & { id: string; updatedAt: number; version: number };
  const pending = (customerId: string) => outbox.some((o) => o.customerId === customerId);

  function detailOf(c: Customer): CustomerDetail {
    const role = roleOf(current!);
    const canEdit = allowed('customer.update', c);
    const fieldAccess = (entity: EntityType, verb: 'update' | 'create'): FieldAccess => ({
      readable: readableFields(entity, role.readClearance, DEFAULT_CLASSIFICATION),
      writable: allowed(`${entity}.${verb}` as Parameters<typeof authorize>[1], c)
        ? writableFields(entity, role.writeClearance, DEFAULT_CLASSIFICATION, role.readClearance)
        : [],
    });
    return {
      customer: project('customer', c),
      contacts: db.contacts.filter((x) => x.customerId === c.id).map((x) => project('contact', x)),
      opportunities: db.opportunities.filter((x) => x.customerId === c.id).map((x) => project('opportunity', x)),
      activities: db.activities.filter((x) => x.customerId === c.id).map((x) => project('activity', x)),
      access: {
        customer: fieldAccess('customer', 'update'),
        contact: fieldAccess('contact', 'update'),
        opportunity: fieldAccess('opportunity', 'update'),
        activity: fieldAccess('activity', 'create'),
      },
      canEdit,
      canLogActivity: allowed('activity.create', c),
      pending: pending(c.id),
    };
  }

  function enqueue(entity: EntityType, op: OutboxItem['op'], recordId: string, customerId: string, label: string) {
    outbox.push({ mutationId: newId('mut'), entity, op, recordId, label, createdAt: now(), attempts: 0, customerId });
    emit({ outboxCount: outbox.length });
  }

  function customerFor(id: string): Customer | null {
    const c = db.customers.find((x) => x.id === id);
    return c && access(c) !== 'none' ? c : null;
  }

  /** Fields the user may not write (the core refuses obviously-denied edits offline). */
  function deniedFields(entity: EntityType, fields: Record<string, unknown>): string[] {
    const role = roleOf(current!);
    const writable = writableFields(entity, role.writeClearance, DEFAULT_CLASSIFICATION, role.readClearance);
    return Object.keys(fields).filter((f) => f !== 'customerId' && f !== 'ownerId' && !writable.includes(f));
  }

  function dashboard(): TeamDashboard {
    const visible = new Set(visibleCustomers().map((c) => c.id));
    const opps = db.opportunities.filter((o) => visible.has(o.customerId));
    const byStage = OPPORTUNITY_STAGES.map((stage: OpportunityStage) => {
      const list = opps.filter((o) => o.stage === stage);
      return { stage, count: list.length, amount: list.reduce((s, o) => s + (o.amount ?? 0), 0) };
    });
    const byRep = new Map<string, { ownerId: string; ownerName: string; count: number; amount: number }>();
    for (const o of opps) {
      if (o.stage === 'won' || o.stage === 'lost') continue;
      const entry = byRep.get(o.ownerId) ?? { ownerId: o.ownerId, ownerName: users.find((u) => u.id === o.ownerId)?.displayName ?? o.ownerId, count: 0, amount: 0 };
      entry.count++;
      entry.amount += o.amount ?? 0;
      byRep.set(o.ownerId, entry);
    }
    const won = opps.filter((o) => o.stage === 'won').length;
    const lost = opps.filter((o) => o.stage === 'lost').length;
    const weekMs = 7 * 86_400_000;
    const weeks = Array.from({ length: 10 }, (_, i) => {
      const start = now() - (10 - i) * weekMs;
      const count = db.activities.filter((a) => visible.has(a.customerId) && a.at >= start && a.at < start + weekMs).length;
      return { weekStart: new Date(start).toISOString().slice(0, 10), count };
    });
    const lastContact = new Map<string, number>();
    for (const a of db.activities) if (visible.has(a.customerId)) lastContact.set(a.customerId, Math.max(lastContact.get(a.customerId) ?? 0, a.at));
    const today = new Date(now()).toISOString().slice(0, 10);
    return {
      pipelineByStage: byStage,
      pipelineByRep: [...byRep.values()].sort((a, b) => b.amount - a.amount),
      winRate: { won, lost, rate: won + lost ? won / (won + lost) : null },
      activitiesPerWeek: weeks,
      notContacted30d: visibleCustomers()
        .filter((c) => (lastContact.get(c.id) ?? 0) < now() - 30 * 86_400_000)
        .map((c) => ({ customerId: c.id, name: c.name, lastActivityAt: lastContact.get(c.id) ?? null })),
      overdue: opps.filter((o) => o.stage !== 'won' && o.stage !== 'lost' && o.expectedCloseDate < today).length,
      computedAt: now(),
    };
  }

  function userView(u: FakeUser): UserView {
    return {
      id: u.id, username: u.username, displayName: u.displayName, unitId: u.unitId, roleId: u.roleId,
      managedUnitIds: [...u.managedUnitIds], status: u.status, mfaEnrolled: u.mfaEnrolled,
      lastSignInAt: u.lastSignInAt, lockedUntil: null,
    };
  }
  const roleView = (r: Role): RoleView => structuredClone(r) as RoleView;

  function startFirstSync() {
    const total = visibleCustomers().length;
    emit({ phase: 'first-sync', progress: { task: 'first-sync', done: 0, total }, sync: { status: 'syncing', lastError: null } });
    const finish = () =>
      emit({ phase: 'ready', progress: null, lastSyncAt: now(), leaseUntil: now() + 72 * 3600_000, wipeAfter: now() + 14 * 86_400_000, sync: { status: 'idle', lastError: null } });
    const stepMs = options.firstSyncStepMs ?? 120;
    if (stepMs <= 0) return finish();
    let done = 0;
    const step = () => {
      done = Math.min(total, done + Math.ceil(total / 8));
      emit({ progress: { task: 'first-sync', done, total } });
      if (done < total) setTimeout(step, stepMs);
      else setTimeout(finish, stepMs);
    };
    setTimeout(step, stepMs);
  }

  const needUser = (): Result<never> | null => (current && state.phase === 'ready' ? null : fail('not_signed_in', 'no session'));
  const needAction = (action: string): Result<never> | null =>
    needUser() ?? (roleOf(current!).actions.includes(action as Role['actions'][number]) ? null : fail('forbidden', `missing ${action}`));

  type Handlers = { [M in DesktopMethod]: (input: DesktopInput<M>) => Result<DesktopOutputs[M]> };
  const handlers: Handlers = {
    getState: () => ok(state),
    signIn: (input) => {
      const user = users.find((u) => u.username === input.username.trim());
      if (!user || input.password !== FAKE_PASSWORD) return fail('invalid_credentials', 'bad username or password');
      if (user.status !== 'active') return fail('account_locked', 'deactivated');
      pendingSignIn = user;
      emit({ serverUrl: input.serverUrl });
      return ok({
        mfaSetupRequired: !user.mfaEnrolled,
        otpauthUri: user.mfaEnrolled ? null : `otpauth://totp/SalesVault:${user.username}?secret=JBSWY3DPEHPK3PXP&issuer=SalesVault`,
      });
    },
    verifyMfa: (input) => {
      if (!pendingSignIn) return fail('not_signed_in', 'sign in first');
      if (input.code === FAKE_BAD_MFA_CODE) return fail('mfa_invalid', 'wrong code');
      current = pendingSignIn;
      current.mfaEnrolled = true;
      current.lastSignInAt = now();
      pendingSignIn = null;
      emit({ user: sessionUser(current) });
      startFirstSync();
      return ok(state);
    },
    syncNow: () => {
      if (!current) return fail('not_signed_in', 'no session');
      if (!state.online) {
        emit({ sync: { status: 'error', lastError: 'server_unreachable' } });
        return fail('server_unreachable', 'offline');
      }
      outbox.splice(0);
      emit({
        phase: state.phase === 'locked' ? 'ready' : state.phase,
        outboxCount: 0,
        lastSyncAt: now(),
        leaseUntil: now() + 72 * 3600_000,
        reason: null,
        sync: { status: 'idle', lastError: null },
      });
      return ok(state);
    },
    setLocale: (input) => {
      emit({ locale: input.locale });
      return ok(state);
    },
    signOut: () => {
      current = null;
      outbox.splice(0);
      emit({ phase: 'signed-out', user: null, lastSyncAt: null, outboxCount: 0, issueCount: 0, leaseUntil: null, wipeAfter: null, reason: null });
      return ok(state);
    },
    searchCustomers: (input) => {
      const denied = needAction('customer.read');
      if (denied) return denied;
      const q = (input.query ?? '').trim().toLowerCase();
      const rows = visibleCustomers()
        .filter((c) => !input.city || c.city === input.city)
        .filter((c) => !input.industry || c.industry === input.industry)
        .filter((c) => !input.tag || c.tags.includes(input.tag))
        .filter((c) => {
          if (!q) return true;
          const contacts = db.contacts.filter((x) => x.customerId === c.id).map((x) => x.name);
          return [c.name, c.city, ...c.tags, ...contacts].some((s) => s.toLowerCase().includes(q));
        })
        .sort((a, b) => a.name.localeCompare(b.name, 'zh-CN'));
      const offset = input.offset ?? 0;
      const limit = input.limit ?? 100;
      const page: CustomerListItem[] = rows.slice(offset, offset + limit).map((c) => {
        const p = project('customer', c);
        return {
          id: c.id, name: c.name, type: p.type, industry: p.industry, city: p.city, ownerId: c.ownerId,
          ownerName: users.find((u) => u.id === c.ownerId)?.displayName ?? null, tags: p.tags, updatedAt: c.updatedAt, pending: pending(c.id),
        };
      });
      return ok({ total: rows.length, rows: page });
    },
    getCustomer: (input) => {
      const denied = needAction('customer.read');
      if (denied) return denied;
      const c = customerFor(input.id);
      return c ? ok(detailOf(c)) : fail('not_found', 'no such customer in scope');
    },
    createCustomer: (input) => {
      const s = subject();
      if (!s || !allowed('customer.create', { ownerId: s.user.id, id: 'new' } as Customer)) return fail('forbidden', 'customer.create');
      const denied = deniedFields('customer', input);
      if (denied.length) return fail('forbidden', `above write clearance: ${denied.join(', ')}`);
      const c: Customer = {
        id: newId('cus'), updatedAt: now(), version: 0, ownerId: s.user.id, industry: '', city: '', address: '', tags: [],
        creditLimit: null, paymentTerms: null, taxId: null, notes: '', ...input,
      };
      db.customers.push(c);
      enqueue('customer', 'create', c.id, c.id, c.name);
      return ok({ id: c.id });
    },
    updateCustomer: (input) => {
      const c = customerFor(input.id);
      if (!c) return fail('not_found', 'no such customer');
      if (!allowed('customer.update', c)) return fail('forbidden', 'customer.update');
      const denied = deniedFields('customer', input.fields);
      if (denied.length) return fail('forbidden', `above write clearance: ${denied.join(', ')}`);
      Object.assign(c, input.fields, { updatedAt: now() });
      enqueue('customer', 'update', c.id, c.id, c.name);
      return ok(detailOf(c));
    },
    createContact: (input) => {
      const c = customerFor(input.customerId);
      if (!c) return fail('not_found', 'no such customer');
      if (!allowed('contact.create', c)) return fail('forbidden', 'contact.create');
      const x: Contact = { id: newId('con'), updatedAt: now(), version: 0, title: '', phone: null, email: null, wechat: null, ...input };
      db.contacts.push(x);
      enqueue('contact', 'create', x.id, c.id, x.name);
      return ok({ id: x.id });
    },
    updateContact: (input) => {
      const x = db.contacts.find((r) => r.id === input.id);
      const c = x && customerFor(x.customerId);
      if (!x || !c) return fail('not_found', 'no such contact');
      if (!allowed('contact.update', c)) return fail('forbidden', 'contact.update');
      Object.assign(x, input.fields, { updatedAt: now() });
      enqueue('contact', 'update', x.id, c.id, x.name);
      return ok(detailOf(c));
    },
    createOpportunity: (input) => {
      const c = customerFor(input.customerId);
      if (!c) return fail('not_found', 'no such customer');
      if (!allowed('opportunity.create', c)) return fail('forbidden', 'opportunity.create');
      const x: Opportunity = {
        id: newId('opp'), updatedAt: now(), version: 0, amount: null, expectedCloseDate: new Date(now()).toISOString().slice(0, 10),
        probability: 10, ownerId: current!.id, ...input,
      };
      db.opportunities.push(x);
      enqueue('opportunity', 'create', x.id, c.id, x.title);
      return ok({ id: x.id });
    },
    updateOpportunity: (input) => {
      const x = db.opportunities.find((r) => r.id === input.id);
      const c = x && customerFor(x.customerId);
      if (!x || !c) return fail('not_found', 'no such opportunity');
      if (!allowed('opportunity.update', c)) return fail('forbidden', 'opportunity.update');
      Object.assign(x, input.fields, { updatedAt: now() });
      enqueue('opportunity', 'update', x.id, c.id, x.title);
      return ok(detailOf(c));
    },
    logActivity: (input) => {
      const c = customerFor(input.customerId);
      if (!c) return fail('not_found', 'no such customer');
      if (!allowed('activity.create', c)) return fail('forbidden', 'activity.create');
      const x: Activity = { id: newId('act'), updatedAt: now(), version: 0, authorId: current!.id, ...input, at: input.at ?? now() };
      db.activities.push(x);
      enqueue('activity', 'create', x.id, c.id, `${c.name}`);
      return ok({ id: x.id });
    },
    listFacets: () => {
      const denied = needAction('customer.read');
      if (denied) return denied;
      const visible = visibleCustomers();
      const uniq = (values: string[]) => [...new Set(values.filter(Boolean))].sort((a, b) => a.localeCompare(b, 'zh-CN'));
      return ok({ cities: uniq(visible.map((c) => c.city)), industries: uniq(visible.map((c) => c.industry)), tags: uniq(visible.flatMap((c) => c.tags)) });
    },
    exportCustomers: (input) => {
      const denied = needAction('customer.export');
      if (denied) return denied;
      if (!roleOf(current!).offline.exportAllowed) return fail('forbidden', 'export not allowed by policy');
      const rows = visibleCustomers().map((c) => project('customer', c));
      const fields = ['id', ...readableFields('customer', roleOf(current!).readClearance, DEFAULT_CLASSIFICATION)];
      const content =
        input.format === 'json'
          ? JSON.stringify(rows, null, 2)
          : [fields.join(','), ...rows.map((r) => fields.map((f) => JSON.stringify((r as Record<string, unknown>)[f] ?? '')).join(','))].join('\n');
      return ok({ filename: `customers.${input.format}`, mime: input.format === 'json' ? 'application/json' : 'text/csv', content, count: rows.length });
    },
    listOutbox: () => ok(outbox.map(({ customerId: _c, ...item }) => item)),
    listIssues: () => ok([...issues]),
    dismissIssue: (input) => {
      const i = issues.findIndex((x) => x.id === input.id);
      if (i < 0) return fail('not_found', 'no such issue');
      issues.splice(i, 1);
      emit({ issueCount: issues.length });
      return ok({ ok: true as const });
    },
    teamDashboard: () => needAction('dashboard.team') ?? ok(dashboard()),
    adminListUsers: () => needAction('admin.users') ?? ok(users.map(userView)),
    adminCreateUser: (input) => {
      const denied = needAction('admin.users');
      if (denied) return denied;
      if (users.some((u) => u.username === input.username)) return fail('validation_failed', 'username taken');
      const u: FakeUser = {
        id: newId('usr'), username: input.username, displayName: input.displayName, unitId: input.unitId, roleId: input.roleId,
        managedUnitIds: input.managedUnitIds ?? [], status: 'active', mfaEnrolled: false, lastSignInAt: null,
      };
      users.push(u);
      return ok(userView(u));
    },
    adminUpdateUser: (input) => {
      const denied = needAction('admin.users');
      if (denied) return denied;
      const u = users.find((x) => x.id === input.id);
      if (!u) return fail('not_found', 'no such user');
      Object.assign(u, Object.fromEntries(Object.entries(input.patch).filter(([, v]) => v !== undefined)));
      return ok(userView(u));
    },
    adminDeactivateUser: (input) => {
      const denied = needAction('admin.users');
      if (denied) return denied;
      const u = users.find((x) => x.id === input.id);
      if (!u) return fail('not_found', 'no such user');
      u.status = 'deactivated';
      let revokedDevices = 0;
      for (const d of devices) {
        if (d.userId === u.id && d.status === 'active') {
          d.status = 'revoked';
          d.revokedAt = now();
          revokedDevices++;
        }
      }
      return ok({ user: userView(u), revokedDevices });
    },
    adminListRoles: () => needAction('admin.roles') ?? ok(roles.map(roleView)),
    adminUpdateRole: (input) => {
      const denied = needAction('admin.roles');
      if (denied) return denied;
      const r = roles.find((x) => x.id === input.id);
      if (!r) return fail('not_found', 'no such role');
      Object.assign(r, Object.fromEntries(Object.entries(input.patch).filter(([, v]) => v !== undefined)));
      return ok(roleView(r));
    },
    adminCreateRole: (input) => {
      const denied = needAction('admin.roles');
      if (denied) return denied;
      const r: Role = { id: newId('role'), key: null, ...input } as Role;
      roles.push(r);
      return ok(roleView(r));
    },
    adminListUnits: () => needUser() ?? (allowed('admin.users') || allowed('admin.roles') ? ok(units.map((u) => ({ ...u }))) : fail('forbidden', 'admin')),
    adminListDevices: () => needAction('admin.devices') ?? ok(devices.map((d) => ({ ...d }))),
    adminRevokeDevice: (input) => {
      const denied = needAction('admin.devices');
      if (denied) return denied;
      const d = devices.find((x) => x.id === input.id);
      if (!d) return fail('not_found', 'no such device');
      d.status = 'revoked';
      d.revokedAt = now();
      return ok({ ...d });
    },
    auditList: (input) => {
      const denied = needAction('audit.read');
      if (denied) return denied;
      const limit = Number(input.limit ?? 200);
      const list = audit
        .filter((e) => !input.actorId || e.actorId === input.actorId)
        .filter((e) => !input.action || e.action.includes(String(input.action)))
        .filter((e) => input.from === undefined || e.at >= Number(input.from))
        .filter((e) => input.to === undefined || e.at <= Number(input.to))
        .filter((e) => input.beforeSeq === undefined || e.seq < Number(input.beforeSeq))
        .sort((a, b) => b.seq - a.seq)
        .slice(0, limit);
      return ok(list);
    },
    auditVerify: () => needAction('audit.read') ?? ok({ ok: true, checked: audit.length, firstBrokenSeq: null }),
    auditExport: (input) => {
      const denied = needAction('audit.read');
      if (denied) return denied;
      const content = input.format === 'json' ? JSON.stringify(audit) : ['seq,at,action', ...audit.map((e) => `${e.seq},${e.at},${e.action}`)].join('\n');
      return ok({ filename: `audit.${input.format}`, mime: input.format === 'json' ? 'application/json' : 'text/csv', content, count: audit.length });
    },
    ...fakeAlertAndReviewHandlers({
      now, users, roles, currentUserId: () => current?.id ?? null,
      needAnyAction: (actions) => needUser() ?? (actions.some((a) => !needAction(a)) ? null : fail('forbidden', `missing ${actions.join(' or ')}`)),
    }),
    ...fakeSsoHandlers({
      beginSignIn: (username, serverUrl) => handlers.signIn({ serverUrl, username, password: FAKE_PASSWORD }),
      needAction,
      ssoUsername: 'li.na',
    }),
  };

  // Inputs are validated with the contract's schemas, as the real core does at the boundary.
  const api = Object.fromEntries(
    DESKTOP_METHODS.map((method) => [
      method,
      async (input?: unknown) => {
        calls.push({ method, input });
        const parsed = (desktopInputs[method] as { safeParse(v: unknown): { success: boolean; data?: unknown; error?: { message: string } } }).safeParse(input);
        if (!parsed.success) return fail('validation_failed', parsed.error?.message ?? 'invalid input');
        return (handlers[method] as (i: unknown) => Result<unknown>)(parsed.data);
      },
    ]),
  ) as unknown as Omit<DesktopApi, 'onStateChange'>;

  return {
    ...api,
    calls,
    onStateChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    patchState: (patch) => emit(patch),
    currentState: () => state,
    addIssue(issue) {
      issues.push(issue);
      emit({ issueCount: issues.length });
    },
  };
}

