import { App as AntApp } from 'antd';
import { createContext, useCallback, useContext } from 'react';
import type { ApiError, AppState, DesktopApi, Locale, Result } from '../../shared/api/desktop-api';
import { describeError } from '../i18n';

// React access to the desktop API and the current AppState (pushed by onStateChange).

export const ApiContext = createContext<DesktopApi | null>(null);
export const AppStateContext = createContext<{ state: AppState; setState: (s: AppState) => void } | null>(null);

export function useApi(): DesktopApi {
  const api = useContext(ApiContext);
  if (!api) throw new Error('useApi outside ApiContext');
  return api;
}

export function useAppState(): AppState {
  const ctx = useContext(AppStateContext);
  if (!ctx) throw new Error('useAppState outside AppStateContext');
  return ctx.state;
}

/** Replaces the app state with one a call returned (signIn/verifyMfa/syncNow... answer with it). */
export function useSetAppState(): (s: AppState) => void {
  const ctx = useContext(AppStateContext);
  if (!ctx) throw new Error('useSetAppState outside AppStateContext');
  return ctx.setState;
}

export function useLocale(): Locale {
  return useAppState().locale;
}

/**
 * Shows an API error as a localized notification (what happened + what to do) and returns
 * the value of a successful Result, or undefined.
 */
export function useResult(): <T>(result: Result<T>) => T | undefined {
  const { notification } = AntApp.useApp();
  const locale = useLocale();
  return useCallback(
    <T,>(result: Result<T>): T | undefined => {
      if (result.ok) return result.value;
      const text = describeError(result.error, locale);
      notification.error({ title: text.title, description: text.action, placement: 'topRight', key: result.error.code });
      return undefined;
    },
    [notification, locale],
  );
}

export function errorText(error: ApiError, locale: Locale): string {
  const d = describeError(error, locale);
  return `${d.title}${locale === 'en' ? '. ' : '。'}${d.action}`;
}
