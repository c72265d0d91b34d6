import { useCallback, useEffect, useRef, useState } from 'react';
import type { Result } from '../../shared/api/desktop-api';
import { useResult } from '../app/context';

/**
 * Loads a value through the desktop API (errors shown as notifications), again whenever
 * `key` changes, and on demand with reload(). `value` is null until the first success.
 */
export function useLoad<T>(
  key: string,
  load: () => Promise<Result<T>>,
): {
  value: T | null;
  loading: boolean;
  reload: () => Promise<void>;
  setValue: (v: T | null | ((prev: T | null) => T | null)) => void;
} {
  const show = useResult();
  const [value, setValue] = useState<T | null>(null);
  const [loadedKey, setLoadedKey] = useState<string | null>(null);
  const [reloading, setReloading] = useState(false);
  // The latest loader, so callers may pass an inline function; `key` says when to reload.
  const loadRef = useRef(load);
  useEffect(() => {
    loadRef.current = load;
  });

  useEffect(() => {
    let live = true;
    void loadRef.current().then((r) => {
      if (!live) return;
      const v = show(r);
      if (v !== undefined) setValue(v);
      setLoadedKey(key);
    });
    return () => {
      live = false;
    };
  }, [key, show]);

  const reload = useCallback(async () => {
    setReloading(true);
    const v = show(await loadRef.current());
    setReloading(false);
    if (v !== undefined) setValue(v);
  }, [show]);

  return { value, loading: reloading || loadedKey !== key, reload, setValue };
}
