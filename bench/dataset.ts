// The benchmark's organisation: the demo org (users, roles, units, TOTP secrets) with every
// record owned by the reps of ONE manager's two teams (manager.sh manages unit-sh-t1 and
// unit-sh-t2), so the manager's first sync carries the whole data set and dropping one team
// from the manager's units removes exactly half of it (50k customers at full scale).
// Records are inserted through the server's bulk insert path, batch by batch.

import type { Kysely } from 'kysely';
import type { Dialect } from '../server/context';
import type { ActivitiesTable, ContactsTable, CustomersTable, Database, OpportunitiesTable } from '../server/db/schema';
import { bulkInsertRecords, type RecordBatch } from '../server/records/bulk';
import { seedDemo } from '../server/seed/demo';
import { PER_CUSTOMER } from './scale';
import { prng } from '../shared/prng';
import { pinyinKeys } from '../electron/core/vault/pinyin';

export const MANAGER = { username: 'manager.sh', id: 'user-manager-sh' } as const;
export const TEAM_UNITS = { kept: 'unit-sh-t1', dropped: 'unit-sh-t2' } as const;
const REPS_PER_TEAM = 3;
export const TEAM_REPS = {
  kept: Array.from({ length: REPS_PER_TEAM }, (_, i) => `user-rep-sh1-${i + 1}`),
  dropped: Array.from({ length: REPS_PER_TEAM }, (_, i) => `user-rep-sh2-${i + 1}`),
};
/** Users who own nothing: load-test devices and the revocation device sign in as them. */
export const IDLE_USERS = [
  ...['hz', 'sz', 'gz', 'bj'].flatMap((b) => [1, 2].flatMap((t) => [1, 2, 3].map((r) => `rep.${b}${t}.${r}`))),
  'service.hz', 'service.sz', 'service.gz', 'service.bj', 'manager.hz', 'manager.sz', 'manager.gz', 'manager.bj',
];
export const ADMIN_USERNAME = 'it.admin';

const CITIES = ['上海', '北京', '深圳', '杭州', '广州', '成都', '南京', '苏州', '武汉', '西安'];
const BRANDS = ['华为', '腾飞', '远航', '中科', '鼎新', '恒通', '瑞丰', '金桥', '宏图', '天元', '博雅', '海纳', '星辰', '九州'];
const TRADES = ['技术', '科技', '贸易', '实业', '电子', '医药', '物流', '机械', '食品', '能源', '软件'];
const SUFFIXES = ['有限公司', '股份有限公司', '集团有限公司'];
const LATIN_WORDS = ['Contoso', 'Globex', 'Initech', 'Umbrella', 'Stark', 'Wayne', 'Acme', 'Hooli', 'Vandelay', 'Soylent', 'Tyrell', 'Cyberdyne'];
const LATIN_KINDS = ['Robotics', 'Trading', 'Logistics', 'Foods', 'Systems', 'Pharma'];
const SURNAMES = ['王', '李', '张', '刘', '陈', '杨', '赵', '黄', '周', '吴'];
const GIVEN = ['伟', '芳', '娜', '敏', '静', '强', '磊', '军', '洋', '勇', '艳', '杰'];
const INDUSTRIES = ['制造业', '信息技术', '零售', '金融', '医疗健康', '物流运输', '教育', '能源'];
const TAGS = ['重点客户', 'VIP', '新客户', '老客户', '待跟进', 'key-account'];
const STAGES = ['lead', 'qualified', 'proposal', 'negotiation', 'won', 'lost'] as const;
const DAY_MS = 86_400_000;

export interface SearchQuery {
  query: string;
  kind: 'cjk' | 'latin' | 'pinyin';
}

const spelling = (han: string) => pinyinKeys(han).full[0] ?? han;
const initials = (han: string) => pinyinKeys(han).initials[0] ?? han;

/**
 * Queries for the search figure: CJK substrings (2–4 characters), Latin prefixes, and pinyin
 * (a city or brand spelled out, a brand's initials, a spelling's first letters), mixed.
 */
export function searchQueries(count: number, seed = 7): SearchQuery[] {
  const rand = prng(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)] as T;
  const makers: (() => SearchQuery)[] = [
    () => ({ kind: 'cjk', query: pick(BRANDS) }), // 2 characters
    () => ({ kind: 'cjk', query: pick(BRANDS) + pick(TRADES) }), // 4 characters, inside a name
    () => ({ kind: 'cjk', query: pick(CITIES) + pick(BRANDS).slice(0, 1) }), // across a word boundary
    () => ({ kind: 'cjk', query: pick(TRADES) + '有限' }), // common suffix: many hits
    () => ({ kind: 'latin', query: pick(LATIN_WORDS).slice(0, 3) }), // Latin prefix
    () => ({ kind: 'latin', query: pick(LATIN_WORDS) }), // Latin word
    () => ({ kind: 'cjk', query: pick(SURNAMES) + pick(GIVEN) }), // a contact's name
    () => ({ kind: 'pinyin', query: spelling(pick(CITIES)) }), // shanghai
    () => ({ kind: 'pinyin', query: initials(pick(BRANDS)) }), // hw: 2 letters, the gram index
    () => ({ kind: 'pinyin', query: spelling(pick(BRANDS) + pick(TRADES)) }), // huaweijishu
    () => ({ kind: 'pinyin', query: spelling(pick(BRANDS)).slice(0, 3) }), // hua: a spelling's start
  ];
  return Array.from({ length: count }, (_, i) => (makers[i % makers.length] as () => SearchQuery)());
}

const pad = (n: number) => String(n).padStart(7, '0');
export const customerId = (n: number) => `cu-${pad(n)}`;
export const opportunityId = (n: number) => `op-${pad(n)}`;

export interface SeededDataset {
  customers: number;
  contacts: number;
  opportunities: number;
  activities: number;
}

/** Seeds the demo org (no records of its own) plus `customers` customers owned by MANAGER's teams. */
export async function seedBenchOrg(
  target: { db: Kysely<Database>; dialect: Dialect },
  customers: number,
  onProgress?: (done: number, total: number) => void,
): Promise<SeededDataset> {
  await seedDemo(target, { customers: 0 });
  const now = Date.now();
  const rand = prng(2026);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)] as T;
  const int = (min: number, max: number) => min + Math.floor(rand() * (max - min + 1));
  const person = () => pick(SURNAMES) + pick(GIVEN) + (rand() < 0.5 ? pick(GIVEN) : '');
  const reps = [...TEAM_REPS.kept, ...TEAM_REPS.dropped];
  const BATCH = 1000;
  for (let start = 0; start < customers; start += BATCH) {
    const batch: RecordBatch = { customers: [], contacts: [], opportunities: [], activities: [] };
    const end = Math.min(customers, start + BATCH);
    for (let i = start; i < end; i++) {
      const n = i + 1;
      // Alternate teams: dropping one team removes exactly every second customer.
      const owner = reps[(i % 2) * REPS_PER_TEAM + (Math.floor(i / 2) % REPS_PER_TEAM)] as string;
      const city = pick(CITIES);
      const latin = rand() < 0.3;
      const id = customerId(n);
      const customer: CustomersTable = {
        id, updated_at: now, version: 1, deleted: 0,
        name: latin ? `${pick(LATIN_WORDS)} ${pick(LATIN_KINDS)} ${n}` : `${city}${pick(BRANDS)}${pick(TRADES)}${pick(SUFFIXES)}`,
        type: 'company', industry: pick(INDUSTRIES), city,
        address: `${city}市人民路${int(1, 999)}号`, owner_id: owner,
        tags: JSON.stringify([pick(TAGS)]), credit_limit: int(5, 500) * 10_000, payment_terms: '月结30天',
        tax_id: `91${int(100000, 999999)}${int(100000, 999999)}`, notes: rand() < 0.5 ? '' : '需要定期回访',
      };
      batch.customers.push(customer);
      for (let c = 1; c <= PER_CUSTOMER.contacts; c++) {
        const contact: ContactsTable = {
          id: `ct-${pad(n)}-${c}`, updated_at: now, version: 1, deleted: 0, customer_id: id,
          name: person(), title: '采购经理', phone: `139${String(int(0, 99_999_999)).padStart(8, '0')}`,
          email: `c${n}.${c}@example.cn`, wechat: `wx_${n}_${c}`,
        };
        batch.contacts.push(contact);
      }
      for (let o = 1; o <= PER_CUSTOMER.opportunities; o++) {
        const stage = pick(STAGES);
        const opportunity: OpportunitiesTable = {
          id: o === 1 ? opportunityId(n) : `${opportunityId(n)}-${o}`, updated_at: now, version: 1, deleted: 0, customer_id: id,
          title: `${pick(BRANDS)}云服务采购项目`, stage, amount: int(2, 800) * 5_000,
          expected_close_date: new Date(now + int(-30, 180) * DAY_MS).toISOString().slice(0, 10),
          probability: int(0, 100), owner_id: owner,
        };
        batch.opportunities.push(opportunity);
      }
      for (let a = 1; a <= PER_CUSTOMER.activities; a++) {
        const activity: ActivitiesTable = {
          id: `ac-${pad(n)}-${a}`, updated_at: now, version: 1, deleted: 0, customer_id: id,
          kind: pick(['visit', 'call', 'note'] as const), at: now - int(0, 90) * DAY_MS, author_id: owner,
          text: pick(['上门拜访，介绍新产品方案', '电话沟通报价细节', 'Call about renewal timing', '客户预算下季度确定']),
        };
        batch.activities.push(activity);
      }
    }
    await bulkInsertRecords(target, batch, { actorId: null, now });
    onProgress?.(end, customers);
  }
  return {
    customers,
    contacts: customers * PER_CUSTOMER.contacts,
    opportunities: customers * PER_CUSTOMER.opportunities,
    activities: customers * PER_CUSTOMER.activities,
  };
}
