import { ClockCircleOutlined } from '@ant-design/icons';
import { useVirtualizer } from '@tanstack/react-virtual';
import { Empty, Tag, Tooltip } from 'antd';
import { useEffect, useRef, useState, type KeyboardEvent, type RefObject } from 'react';
import { useTranslation } from 'react-i18next';
import type { CustomerListItem } from '../../../shared/api/desktop-api';
import { CITIES, INDUSTRIES, listLabel } from '../../../shared/domain/places';
import { useLocale } from '../../app/context';

const ROW_HEIGHT = 56;

export interface CustomerListProps {
  rows: CustomerListItem[];
  total: number;
  /** The rows belong to an earlier search while the current one is being answered. */
  busy?: boolean;
  selectedId: string | null;
  onOpen: (id: string) => void;
  /** Called when the viewport nears the end of the loaded rows. */
  onNeedMore: () => void;
  /** Set to the listbox element, so the search box can move the focus into it (↓). */
  listRef?: RefObject<HTMLDivElement | null>;
  /** Escape (or ↑ on the first row) in the list: back to where the user came from (the search box). */
  onLeave?: () => void;
}

/**
 * The virtualised customer list: a listbox navigable with ↑/↓/Home/End/PageUp/PageDown and
 * opened with Enter; only the visible rows exist in the DOM. Escape, or ↑ on the first row,
 * returns to the search box.
 */
export function CustomerList({ rows, total, busy = false, selectedId, onOpen, onNeedMore, listRef, onLeave }: CustomerListProps) {
  const { t } = useTranslation();
  const english = useLocale() === 'en';
  const scrollRef = useRef<HTMLDivElement>(null);
  const [active, setActive] = useState(0);
  // eslint-disable-next-line react-hooks/incompatible-library -- the virtualizer is mutable by design; this component is not auto-memoised
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 8,
  });
  const items = virtualizer.getVirtualItems();
  const lastVisible = items.length ? items[items.length - 1]!.index : 0;

  useEffect(() => {
    if (rows.length < total && lastVisible >= rows.length - 20) onNeedMore();
  }, [lastVisible, rows.length, total, onNeedMore]);

  // A new result set starts at its first row.
  const activeIndex = Math.min(active, Math.max(0, rows.length - 1));

  function move(to: number) {
    const index = Math.max(0, Math.min(rows.length - 1, to));
    setActive(index);
    virtualizer.scrollToIndex(index, { align: 'auto' });
  }

  function onKeyDown(e: KeyboardEvent<HTMLDivElement>) {
    const page = Math.max(1, Math.floor((scrollRef.current?.clientHeight ?? ROW_HEIGHT * 10) / ROW_HEIGHT) - 1);
    const keys: Record<string, () => void> = {
      ArrowDown: () => move(activeIndex + 1),
      ArrowUp: () => (activeIndex === 0 && onLeave ? onLeave() : move(activeIndex - 1)),
      Escape: () => onLeave?.(),
      PageDown: () => move(activeIndex + page),
      PageUp: () => move(activeIndex - page),
      Home: () => move(0),
      End: () => move(rows.length - 1),
      Enter: () => {
        const row = rows[activeIndex];
        if (row) onOpen(row.id);
      },
    };
    const handler = keys[e.key];
    if (handler) {
      e.preventDefault();
      handler();
    }
  }

  if (rows.length === 0) {
    return (
      <div style={{ padding: 32 }}>
        <Empty description={t('customers.empty')} />
      </div>
    );
  }

  const activeRow = rows[activeIndex];
  return (
    <div
      ref={(el) => {
        scrollRef.current = el;
        if (listRef) listRef.current = el;
      }}
      className="sv-list"
      role="listbox"
      aria-label={t('customers.listLabel')}
      aria-busy={busy}
      aria-activedescendant={activeRow ? `customer-row-${activeRow.id}` : undefined}
      tabIndex={0}
      onKeyDown={onKeyDown}
      style={{ flex: 1, minHeight: 0 }}
    >
      <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
        {items.map((item) => {
          const row = rows[item.index]!;
          // City and industry in the UI's language where they are on the lists (places.ts); other values as typed.
          const meta = [row.city && listLabel(CITIES, row.city, english), row.industry && listLabel(INDUSTRIES, row.industry, english), row.ownerName ?? undefined]
            .filter(Boolean)
            .join(' · ');
          return (
            <div
              key={row.id}
              id={`customer-row-${row.id}`}
              role="option"
              aria-selected={row.id === selectedId}
              className={`sv-row${item.index === activeIndex ? ' sv-row-active' : ''}`}
              style={{ top: 0, transform: `translateY(${item.start}px)`, height: ROW_HEIGHT }}
              onClick={() => {
                setActive(item.index);
                onOpen(row.id);
              }}
            >
              <div className="sv-row-title">
                <span style={{ overflow: 'hidden', textOverflow: 'ellipsis' }}>{row.name}</span>
                {row.pending && (
                  <Tooltip title={t('customers.pendingHelp')}>
                    <Tag color="orange" icon={<ClockCircleOutlined />} style={{ marginInlineEnd: 0 }} data-testid="pending-marker">
                      {t('customers.pending')}
                    </Tag>
                  </Tooltip>
                )}
              </div>
              <div className="sv-row-meta">
                {meta || '—'}
                {row.tags && row.tags.length > 0 && <span> · {row.tags.slice(0, 3).join(' / ')}</span>}
              </div>
            </div>
          );
        })}
      </div>
    </div>
  );
}
