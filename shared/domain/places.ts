// The fixed lists the customer forms offer for a customer's city and industry. The stored value
// is the Chinese name (what the organisation's records already use); the English name is how
// the English UI labels it. A value outside the list ("other") is stored as typed, and values
// entered before the lists existed stay as they are.

export interface ListEntry {
  /** Stored on the record. */
  zh: string;
  en: string;
}

export const CITIES: readonly ListEntry[] = [
  { zh: '北京', en: 'Beijing' },
  { zh: '上海', en: 'Shanghai' },
  { zh: '广州', en: 'Guangzhou' },
  { zh: '深圳', en: 'Shenzhen' },
  { zh: '杭州', en: 'Hangzhou' },
  { zh: '南京', en: 'Nanjing' },
  { zh: '苏州', en: 'Suzhou' },
  { zh: '无锡', en: 'Wuxi' },
  { zh: '宁波', en: 'Ningbo' },
  { zh: '合肥', en: 'Hefei' },
  { zh: '天津', en: 'Tianjin' },
  { zh: '重庆', en: 'Chongqing' },
  { zh: '成都', en: 'Chengdu' },
  { zh: '武汉', en: 'Wuhan' },
  { zh: '西安', en: "Xi'an" },
  { zh: '长沙', en: 'Changsha' },
  { zh: '郑州', en: 'Zhengzhou' },
  { zh: '济南', en: 'Jinan' },
  { zh: '青岛', en: 'Qingdao' },
  { zh: '厦门', en: 'Xiamen' },
  { zh: '福州', en: 'Fuzhou' },
  { zh: '东莞', en: 'Dongguan' },
  { zh: '佛山', en: 'Foshan' },
  { zh: '沈阳', en: 'Shenyang' },
  { zh: '大连', en: 'Dalian' },
  { zh: '哈尔滨', en: 'Harbin' },
  { zh: '昆明', en: 'Kunming' },
  { zh: '香港', en: 'Hong Kong' },
];

export const INDUSTRIES: readonly ListEntry[] = [
  { zh: '制造业', en: 'Manufacturing' },
  { zh: '电子信息', en: 'Electronics & IT' },
  { zh: '软件与互联网', en: 'Software & internet' },
  { zh: '通信', en: 'Telecommunications' },
  { zh: '汽车', en: 'Automotive' },
  { zh: '能源', en: 'Energy' },
  { zh: '化工', en: 'Chemicals' },
  { zh: '医药医疗', en: 'Healthcare & pharma' },
  { zh: '金融', en: 'Finance' },
  { zh: '零售', en: 'Retail' },
  { zh: '物流', en: 'Logistics' },
  { zh: '建筑与房地产', en: 'Construction & real estate' },
  { zh: '教育', en: 'Education' },
  { zh: '政府与公共事业', en: 'Government & public sector' },
  { zh: '农业与食品', en: 'Agriculture & food' },
];

/** A stored value's label in the UI's language: the list's name when it is on the list, else the value itself. */
export function listLabel(list: readonly ListEntry[], value: string, english: boolean): string {
  const entry = list.find((e) => e.zh === value);
  return entry ? (english ? entry.en : entry.zh) : value;
}
