// The demo organisation: one command gives a newcomer a realistic sales company to sign in to —
// Chinese, like the organisations SalesVault is built for (names, cities and products in
// Chinese) — and gives the benchmark its data set.
//
//   华东销售有限公司 (company)
//   ├─ 华东大区 → 上海分公司 (销售一组, 销售二组), 杭州分公司 (…)
//   ├─ 华南大区 → 深圳分公司, 广州分公司
//   └─ 华北大区 → 北京分公司
// Per branch: a manager managing its two teams, a customer-service agent, three reps per team.
// Per region: a director. At the company: two IT admins (four eyes) and an auditor.
// Customers (N) are spread over the reps; each has 2 contacts, 1 opportunity, 3 activities.
//
// Deterministic: the same `seed` gives the same organisation and records (ids, names, values);
// only timestamps follow the clock. Every demo user has the password DEMO_PASSWORD and a fixed
// TOTP secret derived from the username, so codes can be printed with `totpFor(username)`.

import type { Kysely } from 'kysely';
import { Faker, en, zh_CN } from '@faker-js/faker';
import { OPPORTUNITY_STAGES, type ACTIVITY_KINDS, type RoleKey } from '../../shared/domain/model';
import { DEFAULT_ROLE_IDS } from '../../shared/permissions/default-roles';
import type { Dialect } from '../context';
import type { CustomersTable, Database, OrgUnitsTable, UsersTable } from '../db/schema';
import { hashPassword } from '../identity/password';
import { bulkInsertRecords, type RecordBatch } from '../records/bulk';
import { createShare, inRecordTransaction } from '../records/repository';
import { prng } from '../../shared/prng';
import { DEMO_PASSWORD, demoTotpSecret } from './demo-credentials';

export { DEMO_PASSWORD, demoTotpSecret, totpFor } from './demo-credentials';

export const DEMO_COMPANY = '华东销售有限公司';
const DAY_MS = 86_400_000;
/** Customers generated and inserted per transaction. */
const CUSTOMERS_PER_BATCH = 1000;

export interface DemoSignIn {
  username: string;
  displayName: string;
  role: RoleKey;
  unit: string;
  password: string;
}

export interface DemoSummary {
  company: string;
  units: number;
  users: number;
  customers: number;
  contacts: number;
  opportunities: number;
  activities: number;
  shares: number;
  /** One sign-in per role (the README's "try these") followed by every other demo user. */
  signIns: DemoSignIn[];
  totpHelp: string;
}

export interface SeedOptions {
  customers: number;
  seed?: number;
  now?: number;
  onProgress?: (done: number, total: number) => void;
}

// ---- organisation -------------------------------------------------------------------------

const COMPANY_ID = 'unit-company';
const REGIONS = [
  { id: 'unit-east', name: '华东大区', branches: [{ id: 'sh', name: '上海分公司', city: '上海' }, { id: 'hz', name: '杭州分公司', city: '杭州' }] },
  { id: 'unit-south', name: '华南大区', branches: [{ id: 'sz', name: '深圳分公司', city: '深圳' }, { id: 'gz', name: '广州分公司', city: '广州' }] },
  { id: 'unit-north', name: '华北大区', branches: [{ id: 'bj', name: '北京分公司', city: '北京' }] },
] as const;
const REPS_PER_TEAM = 3;

interface DemoUser extends DemoSignIn {
  id: string;
  unitId: string;
  managed: string[];
  /** the branch city, for customers' cities */
  city: string;
}

function buildOrg(faker: Faker): { units: OrgUnitsTable[]; users: DemoUser[] } {
  const units: OrgUnitsTable[] = [{ id: COMPANY_ID, parent_id: null, name: DEMO_COMPANY, kind: 'company' }];
  const users: DemoUser[] = [];
  const person = () => faker.person.lastName() + faker.person.firstName();
  const add = (username: string, role: RoleKey, unitId: string, unit: string, city: string, managed: string[] = []) => {
    users.push({ id: `user-${username.replace(/\./g, '-')}`, username, displayName: person(), role, unitId, unit, password: DEMO_PASSWORD, managed, city });
  };
  add('it.admin', 'it_admin', COMPANY_ID, DEMO_COMPANY, '上海');
  add('auditor', 'auditor', COMPANY_ID, DEMO_COMPANY, '上海');
  for (const region of REGIONS) {
    units.push({ id: region.id, parent_id: COMPANY_ID, name: region.name, kind: 'region' });
    add(`director.${region.id.slice(5)}`, 'director', region.id, region.name, region.branches[0].city);
    for (const branch of region.branches) {
      const branchId = `unit-${branch.id}`;
      units.push({ id: branchId, parent_id: region.id, name: branch.name, kind: 'branch' });
      const teams = [1, 2].map((n) => ({ id: `${branchId}-t${n}`, name: `${branch.city}销售${n === 1 ? '一' : '二'}组`, n }));
      for (const team of teams) units.push({ id: team.id, parent_id: branchId, name: team.name, kind: 'team' });
      add(`manager.${branch.id}`, 'manager', branchId, branch.name, branch.city, teams.map((t) => t.id));
      add(`service.${branch.id}`, 'service', branchId, branch.name, branch.city);
      for (const team of teams) {
        for (let r = 1; r <= REPS_PER_TEAM; r++) add(`rep.${branch.id}${team.n}.${r}`, 'rep', team.id, team.name, branch.city);
      }
    }
  }
  // A second IT admin, so that a change one administrator asks for can be approved by another
  // (four eyes). A fixed name: drawing it from the generator would shift every later record.
  users.push({ id: 'user-it-admin2', username: 'it.admin2', displayName: '钱敏', role: 'it_admin', unitId: COMPANY_ID, unit: DEMO_COMPANY, password: DEMO_PASSWORD, managed: [], city: '上海' });
  return { units, users };
}

// ---- records ------------------------------------------------------------------------------

const CITIES = ['上海', '北京', '深圳', '杭州', '广州', '成都', '南京', '苏州', '武汉', '西安', '重庆', '天津'];
const BRANDS = ['华为', '腾飞', '远航', '中科', '鼎新', '恒通', '瑞丰', '金桥', '宏图', '天元', '博雅', '海纳', '星辰', '九州', '安达', '东方', '新源', '汇智', '云帆', '盛世'];
const TRADES = ['技术', '科技', '贸易', '实业', '电子', '医药', '物流', '机械', '食品', '能源', '软件', '建材'];
const SUFFIXES = ['有限公司', '股份有限公司', '集团有限公司'];
const INDUSTRIES = ['制造业', '信息技术', '零售', '金融', '医疗健康', '物流运输', '教育', '能源', '房地产', '汽车'];
const DISTRICTS = ['浦东新区', '徐汇区', '南山区', '福田区', '西湖区', '天河区', '朝阳区', '海淀区', '武侯区', '鼓楼区'];
const STREETS = ['人民路', '中山路', '解放路', '科技园路', '世纪大道', '建设路', '滨江大道', '长江路'];
const TAGS = ['重点客户', 'VIP', '新客户', '老客户', '待跟进', '战略合作', 'key-account', '渠道'];
const TERMS = ['月结30天', '月结60天', '预付款', '货到付款', 'Net 30', 'Net 60'];
const TITLES = ['总经理', '采购经理', '财务总监', 'IT主管', '运营总监', '副总裁', 'Purchasing Manager', 'CTO'];
const PRODUCTS = ['ERP系统', '云服务', '办公设备', '工业传感器', '物流方案', '安全审计服务', 'CRM License', '数据中心扩容'];
const ACTIVITY_TEXT: Record<(typeof ACTIVITY_KINDS)[number], string[]> = {
  visit: ['上门拜访，介绍新产品方案', '现场演示，客户反馈积极', 'On-site visit with the purchasing team'],
  call: ['电话沟通报价细节', '跟进合同审批进度', 'Call about renewal timing'],
  note: ['客户预算下季度确定', '竞争对手报价偏低，需关注', 'Decision maker changed'],
  service_note: ['处理发票问题', '安排售后培训', 'Resolved a delivery complaint'],
};
const STAGE_PROBABILITY: Record<(typeof OPPORTUNITY_STAGES)[number], number> = {
  lead: 10, qualified: 25, proposal: 50, negotiation: 75, won: 100, lost: 0,
};

const pad = (n: number) => String(n).padStart(7, '0');

export async function seedDemo(
  target: { db: Kysely<Database>; dialect: Dialect },
  opts: SeedOptions,
): Promise<DemoSummary> {
  if (!Number.isInteger(opts.customers) || opts.customers < 0 || opts.customers > 5_000_000) {
    throw new Error('seedDemo: customers must be an integer between 0 and 5000000');
  }
  const { db } = target;
  const existing = await db.selectFrom('org_units').select('id').where('id', '=', COMPANY_ID).executeTakeFirst();
  if (existing) throw new Error('the demo organisation is already seeded in this database (start from an empty database)');
  const seed = opts.seed ?? 2026;
  const now = opts.now ?? Date.now();
  const faker = new Faker({ locale: [zh_CN, en], seed });
  const english = new Faker({ locale: [en], seed: seed + 1 });
  const rand = prng(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)] as T;
  const int = (min: number, max: number) => min + Math.floor(rand() * (max - min + 1));

  // -- org and users
  const { units, users } = buildOrg(faker);
  const passwordHash = await hashPassword(DEMO_PASSWORD); // one hash for all: same documented password
  await db.transaction().execute(async (trx) => {
    for (const unit of units) await trx.insertInto('org_units').values(unit).execute();
    const rows: UsersTable[] = users.map((u) => ({
      id: u.id, username: u.username, display_name: u.displayName, unit_id: u.unitId, role_id: DEFAULT_ROLE_IDS[u.role],
      managed_unit_ids: JSON.stringify(u.managed), status: 'active', password_hash: passwordHash,
      totp_secret: demoTotpSecret(u.username), totp_pending_secret: null, failed_attempts: 0, locked_until: null,
      last_sign_in_at: null, last_totp_step: null, created_at: now,
    }));
    await trx.insertInto('users').values(rows).execute();
  });

  // -- name pools from faker (calling faker per record would dominate a 700k-record seed)
  const personNames = Array.from({ length: 3000 }, () => faker.person.lastName() + faker.person.firstName());
  const englishCompanies = Array.from({ length: 800 }, () => english.company.name());
  const englishNames = Array.from({ length: 800 }, () => english.person.fullName());

  const reps = users.filter((u) => u.role === 'rep');
  const serviceByCity = new Map(users.filter((u) => u.role === 'service').map((u) => [u.city, u.id]));
  const counts = { customers: 0, contacts: 0, opportunities: 0, activities: 0 };

  for (let start = 0; start < opts.customers; start += CUSTOMERS_PER_BATCH) {
    const batch: RecordBatch = { customers: [], contacts: [], opportunities: [], activities: [] };
    const end = Math.min(opts.customers, start + CUSTOMERS_PER_BATCH);
    for (let i = start; i < end; i++) {
      const n = i + 1;
      const owner = reps[i % reps.length] as DemoUser;
      const city = rand() < 0.7 ? owner.city : pick(CITIES);
      const kind = rand();
      const isPerson = kind < 0.08;
      const name = isPerson
        ? pick(personNames)
        : kind < 0.3
          ? `${pick(englishCompanies)} (${city})`
          : `${city}${pick(BRANDS)}${pick(TRADES)}${pick(SUFFIXES)}`;
      const customerId = `cu-${pad(n)}`;
      const customer: CustomersTable = {
        id: customerId, updated_at: now, version: 1, deleted: 0,
        name, type: isPerson ? 'person' : 'company', industry: pick(INDUSTRIES), city,
        address: `${city}市${pick(DISTRICTS)}${pick(STREETS)}${int(1, 999)}号`,
        owner_id: owner.id,
        tags: JSON.stringify([...new Set([pick(TAGS), ...(rand() < 0.4 ? [pick(TAGS)] : [])])]),
        credit_limit: int(5, 500) * 10_000,
        payment_terms: pick(TERMS),
        tax_id: isPerson ? null : `91${String(int(110000, 659999))}${Math.floor(rand() * 1e9).toString(36).toUpperCase().padStart(6, '0').slice(0, 6)}${int(1000, 9999)}`,
        notes: rand() < 0.5 ? '' : `${pick(['年度框架协议客户', '需要定期回访', '关注付款周期', 'Prefers email contact'])}`,
      };
      batch.customers.push(customer);
      for (let c = 1; c <= 2; c++) {
        const useEnglish = name.includes('(') && rand() < 0.6;
        const contactName = useEnglish ? pick(englishNames) : pick(personNames);
        batch.contacts.push({
          id: `ct-${pad(n)}-${c}`, updated_at: now, version: 1, deleted: 0, customer_id: customerId,
          name: contactName, title: pick(TITLES),
          phone: `1${pick(['3', '5', '7', '8', '9'])}${String(int(0, 999_999_999)).padStart(9, '0')}`,
          email: `contact${n}.${c}@${pick(['example.cn', 'example.com', 'mail.example.net'])}`,
          wechat: `wx_${Math.floor(rand() * 1e10).toString(36)}`,
        });
      }
      const stage = pick(OPPORTUNITY_STAGES);
      batch.opportunities.push({
        id: `op-${pad(n)}`, updated_at: now, version: 1, deleted: 0, customer_id: customerId,
        title: `${pick(PRODUCTS)}${pick(['采购项目', '升级项目', '续约', ' rollout'])}`, stage,
        amount: int(2, 800) * 5_000, expected_close_date: new Date(now + int(-30, 180) * DAY_MS).toISOString().slice(0, 10),
        probability: STAGE_PROBABILITY[stage], owner_id: owner.id,
      });
      for (let a = 1; a <= 3; a++) {
        const activityKind = a === 3 && rand() < 0.3 ? 'service_note' : pick(['visit', 'call', 'note'] as const);
        batch.activities.push({
          id: `ac-${pad(n)}-${a}`, updated_at: now, version: 1, deleted: 0, customer_id: customerId,
          kind: activityKind, at: now - int(0, 90) * DAY_MS - int(0, 86_399) * 1000,
          author_id: activityKind === 'service_note' ? (serviceByCity.get(owner.city) ?? owner.id) : owner.id,
          text: pick(ACTIVITY_TEXT[activityKind]),
        });
      }
    }
    await bulkInsertRecords(target, batch, { actorId: null, now });
    counts.customers += batch.customers.length;
    counts.contacts += batch.contacts.length;
    counts.opportunities += batch.opportunities.length;
    counts.activities += batch.activities.length;
    opts.onProgress?.(end, opts.customers);
  }

  // -- a few shares: colleagues covering accounts, one unit share, one expiring in a week
  const sharePlan = [
    { from: 'rep.sh1.1', to: 'rep.sh1.2', granteeType: 'user' as const, access: 'read' as const, expiresAt: null },
    { from: 'rep.sh1.2', to: 'rep.sh2.1', granteeType: 'user' as const, access: 'write' as const, expiresAt: now + 7 * DAY_MS },
    { from: 'rep.sz1.1', to: 'unit-gz', granteeType: 'unit' as const, access: 'read' as const, expiresAt: null },
    { from: 'rep.hz1.1', to: 'rep.sh1.1', granteeType: 'user' as const, access: 'write' as const, expiresAt: null },
  ];
  let shares = 0;
  const byUsername = new Map(users.map((u) => [u.username, u]));
  for (const [i, plan] of sharePlan.entries()) {
    const from = byUsername.get(plan.from);
    const granteeId = plan.granteeType === 'user' ? byUsername.get(plan.to)?.id : plan.to;
    if (!from || !granteeId) continue;
    const customer = await db.selectFrom('customers').select('id').where('owner_id', '=', from.id).orderBy('id').limit(1).executeTakeFirst();
    if (!customer) continue;
    await inRecordTransaction(target, (trx) =>
      createShare(trx, {
        id: `share-demo-${i + 1}`, customerId: customer.id, granteeType: plan.granteeType, granteeId,
        access: plan.access, expiresAt: plan.expiresAt, createdBy: from.id, now,
      }),
    );
    shares++;
  }

  const featured = ['rep.sh1.1', 'manager.sh', 'director.east', 'service.sh', 'it.admin', 'it.admin2', 'auditor'];
  const signIns = [
    ...featured.map((u) => byUsername.get(u)).filter((u): u is DemoUser => u !== undefined),
    ...users.filter((u) => !featured.includes(u.username)),
  ].map(({ username, displayName, role, unit, password }) => ({ username, displayName, role, unit, password }));

  return {
    company: DEMO_COMPANY,
    units: units.length,
    users: users.length,
    ...counts,
    shares,
    signIns,
    totpHelp: 'Every demo user has MFA enrolled with a fixed secret. Get the current 6-digit code with `npm run server -- totp <username>`.',
  };
}

/** The summary as the CLI prints it: counts, then the featured sign-ins. */
export function formatDemoSummary(summary: DemoSummary, featured = 6): string {
  const lines = [
    `Seeded ${summary.company}: ${summary.units} org units, ${summary.users} users, ${summary.customers} customers, ` +
      `${summary.contacts} contacts, ${summary.opportunities} opportunities, ${summary.activities} activities, ${summary.shares} shares.`,
    '',
    'Demo sign-ins (password for all: ' + DEMO_PASSWORD + '):',
    ...summary.signIns.slice(0, featured).map((s) => `  ${s.username.padEnd(16)} ${s.role.padEnd(9)} ${s.displayName} · ${s.unit}`),
    `  … and ${Math.max(0, summary.signIns.length - featured)} more (rep.<branch><team>.<n>, manager.<branch>, service.<branch>, director.<region>)`,
    '',
    summary.totpHelp,
  ];
  return lines.join('\n');
}
